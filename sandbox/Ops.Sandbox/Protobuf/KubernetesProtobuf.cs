using System.Text;
using System.Text.Json.Nodes;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Protobuf;

/// <summary>
/// Reads a request body kubectl sends as application/vnd.kubernetes.protobuf: the magic "k8s\0", a runtime.Unknown
/// envelope (apiVersion, kind, raw bytes), and the object's protobuf in <c>raw</c>, turned into the JSON the API
/// server would have stored. Only the kinds of <see cref="ProtoSchemas"/> are known; any other kind, and any field
/// of a known message that is not in its schema and not empty, is a 415 naming it: nothing is dropped unread.
/// </summary>
internal static class KubernetesProtobuf
{
    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    public static bool IsProtobuf(string? contentType) => contentType?.Contains("application/vnd.kubernetes.protobuf", StringComparison.OrdinalIgnoreCase) == true;

    public static JsonObject Decode(ReadOnlySpan<byte> body)
    {
        if (!body.StartsWith(Magic)) throw Unsupported("the protobuf body does not start with the Kubernetes envelope's magic bytes");
        var envelope = new ProtoReader(body[Magic.Length..].ToArray());
        string apiVersion = "", kind = "";
        byte[] raw = [];
        while (envelope.Next(out var number, out var wire))
        {
            switch (number)
            {
                case 1:
                    var typeMeta = new ProtoReader(envelope.Bytes());
                    while (typeMeta.Next(out var n, out var w))
                    {
                        if (n == 1) apiVersion = typeMeta.String();
                        else if (n == 2) kind = typeMeta.String();
                        else typeMeta.Skip(w);
                    }
                    break;
                case 2:
                    raw = envelope.Bytes();
                    break;
                case 3:
                    var encoding = envelope.String();
                    if (encoding.Length > 0) throw Unsupported($"the sandbox does not read protobuf bodies with contentEncoding {encoding}");
                    break;
                default:
                    envelope.Skip(wire);
                    break;
            }
        }
        var message = ProtoSchemas.MessageOf(apiVersion, kind)
            ?? throw Unsupported($"the sandbox does not decode protobuf for {apiVersion} {kind}; send it as JSON (kubectl create ... --dry-run=client -o json | kubectl apply -f -)");
        var json = Message(message, raw);
        json["apiVersion"] = apiVersion;
        json["kind"] = kind;
        return json;
    }

    private static JsonObject Message(string name, byte[] bytes)
    {
        var schema = ProtoSchemas.Messages[name];
        var reader = new ProtoReader(bytes);
        var json = new JsonObject();
        while (reader.Next(out var number, out var wire))
        {
            if (!schema.TryGetValue(number, out var field))
            {
                // Kubernetes' marshallers write every plain field: an unknown one holding only zeros (stdin: false, an
                // empty status) says nothing and is skipped; one with content would be lost, so it is refused.
                if (wire == 0 && reader.Varint() == 0 || wire == 2 && IsZeroMessage(reader.Bytes())) continue;
                throw Unsupported($"the sandbox does not decode field {number} of {name} in protobuf; send the object as JSON");
            }
            if (field.MapValue is { } valueKind)
            {
                var entry = new ProtoReader(reader.Bytes());
                string key = "";
                JsonNode? value = null;
                while (entry.Next(out var n, out var w))
                {
                    if (n == 1) key = entry.String();
                    else if (n == 2) value = Value(valueKind, field.Message, entry, w);
                    else entry.Skip(w);
                }
                if (json[field.Name] is not JsonObject map) json[field.Name] = map = [];
                map[key] = value ?? (valueKind == ProtoKind.Text || valueKind == ProtoKind.Bytes ? "" : null);
                continue;
            }
            if (field.Repeated && field.Kind == ProtoKind.Int && wire == 2)
            {
                var packed = new ProtoReader(reader.Bytes());
                if (json[field.Name] is not JsonArray numbers) json[field.Name] = numbers = [];
                while (!packed.AtEnd) numbers.Add(packed.Varint());
                continue;
            }
            var item = Value(field.Kind, field.Message, reader, wire);
            if (!field.Repeated && !field.Pointer && IsZero(item)) continue;
            if (field.Repeated)
            {
                if (json[field.Name] is not JsonArray list) json[field.Name] = list = [];
                list.Add(item);
            }
            else
            {
                json[field.Name] = item;
            }
        }
        return json;
    }

    private static JsonNode? Value(ProtoKind kind, string? message, ProtoReader reader, int wire) => kind switch
    {
        ProtoKind.Text => reader.String(),
        ProtoKind.Quantity => Quantity(reader.Bytes()),
        ProtoKind.Bytes => Convert.ToBase64String(reader.Bytes()),
        ProtoKind.Bool => reader.Varint() != 0,
        ProtoKind.Int => wire == 0 ? (long)reader.Varint() : throw Unsupported("an integer field that is not a varint"),
        ProtoKind.Message => Message(message!, reader.Bytes()),
        ProtoKind.Time => Time(reader.Bytes()),
        ProtoKind.IntOrString => IntOrString(reader.Bytes()),
        _ => throw Unsupported($"a field of kind {kind}"),
    };

    /// <summary>Whether bytes are empty, or a message whose every field is zero (recursively).</summary>
    private static bool IsZeroMessage(byte[] bytes)
    {
        try
        {
            var reader = new ProtoReader(bytes);
            while (reader.Next(out _, out var wire))
            {
                var zero = wire switch
                {
                    0 => reader.Varint() == 0,
                    2 => IsZeroMessage(reader.Bytes()),
                    _ => false,
                };
                if (!zero) return false;
            }
            return true;
        }
        catch (ApiException)
        {
            return false;
        }
    }

    private static bool IsZero(JsonNode? value) => value switch
    {
        null => true,
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length == 0,
        JsonValue v when v.TryGetValue<long>(out var n) => n == 0,
        JsonValue v when v.TryGetValue<bool>(out var b) => !b,
        _ => false,
    };

    private static string Quantity(byte[] bytes)
    {
        var reader = new ProtoReader(bytes);
        var text = "";
        while (reader.Next(out var n, out var w))
        {
            if (n == 1) text = reader.String();
            else reader.Skip(w);
        }
        return text;
    }

    private static string? Time(byte[] bytes)
    {
        var reader = new ProtoReader(bytes);
        long seconds = 0;
        while (reader.Next(out var n, out var w))
        {
            if (n == 1) seconds = (long)reader.Varint();
            else reader.Skip(w);
        }
        return seconds == 0 ? null : Timestamps.Format(DateTimeOffset.FromUnixTimeSeconds(seconds));
    }

    private static JsonNode IntOrString(byte[] bytes)
    {
        var reader = new ProtoReader(bytes);
        long type = 0, number = 0;
        var text = "";
        while (reader.Next(out var n, out var w))
        {
            switch (n)
            {
                case 1: type = (long)reader.Varint(); break;
                case 2: number = (long)reader.Varint(); break;
                case 3: text = reader.String(); break;
                default: reader.Skip(w); break;
            }
        }
        return type == 1 ? text : (JsonNode)(int)number;
    }

    private static ApiException Unsupported(string message) => ApiException.UnsupportedMediaType(message);
}
