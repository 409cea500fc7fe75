using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Validation;

/// <summary>
/// A CRD's OpenAPI v3 structural schema, applied to custom resources the way the API server does:
/// prune unknown fields, apply defaults, then validate; every failure names its field path.
/// CEL rules (x-kubernetes-validations) are not evaluated by the sandbox.
/// </summary>
internal sealed class StructuralSchema
{
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(200);

    public string? Type { get; private init; }
    public string? Format { get; private init; }
    public IReadOnlyDictionary<string, StructuralSchema>? Properties { get; private init; }
    public StructuralSchema? Items { get; private init; }
    public StructuralSchema? AdditionalProperties { get; private init; }
    public bool AnyAdditionalProperties { get; private init; }
    public bool PreserveUnknownFields { get; private init; }
    public bool IntOrString { get; private init; }
    public bool Nullable { get; private init; }
    public bool EmbeddedResource { get; private init; }
    public JsonNode? Default { get; private init; }
    public IReadOnlyList<JsonNode?>? Enum { get; private init; }
    public double? Minimum { get; private init; }
    public double? Maximum { get; private init; }
    public bool ExclusiveMinimum { get; private init; }
    public bool ExclusiveMaximum { get; private init; }
    public long? MinLength { get; private init; }
    public long? MaxLength { get; private init; }
    public long? MinItems { get; private init; }
    public long? MaxItems { get; private init; }
    public long? MinProperties { get; private init; }
    public long? MaxProperties { get; private init; }
    public Regex? Pattern { get; private init; }
    public string? PatternText { get; private init; }
    public IReadOnlyList<string> Required { get; private init; } = [];
    public IReadOnlyList<StructuralSchema> AnyOf { get; private init; } = [];
    public IReadOnlyList<StructuralSchema> OneOf { get; private init; } = [];
    public IReadOnlyList<StructuralSchema> AllOf { get; private init; } = [];

    public static StructuralSchema Parse(JsonObject json)
    {
        StructuralSchema? Child(string name) => json[name] is JsonObject o ? Parse(o) : null;
        IReadOnlyList<StructuralSchema> Many(string name) => json[name] is JsonArray a ? [.. a.OfType<JsonObject>().Select(Parse)] : [];
        double? Number(string name) => json[name] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
        long? Whole(string name) => json[name] is JsonValue v && v.TryGetValue<long>(out var l) ? l : null;
        bool Flag(string name) => json[name] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
        var pattern = (string?)json["pattern"];
        return new StructuralSchema
        {
            Type = (string?)json["type"],
            Format = (string?)json["format"],
            Properties = json["properties"] is JsonObject props
                ? props.ToDictionary(p => p.Key, p => Parse(p.Value!.AsObject()), StringComparer.Ordinal)
                : null,
            Items = Child("items"),
            AdditionalProperties = Child("additionalProperties"),
            AnyAdditionalProperties = json["additionalProperties"] is JsonValue any && any.TryGetValue<bool>(out var allowed) && allowed,
            PreserveUnknownFields = Flag("x-kubernetes-preserve-unknown-fields"),
            IntOrString = Flag("x-kubernetes-int-or-string"),
            Nullable = Flag("nullable"),
            EmbeddedResource = Flag("x-kubernetes-embedded-resource"),
            Default = json["default"]?.DeepClone(),
            Enum = json["enum"] is JsonArray e ? [.. e.Select(v => v?.DeepClone())] : null,
            Minimum = Number("minimum"),
            Maximum = Number("maximum"),
            ExclusiveMinimum = Flag("exclusiveMinimum"),
            ExclusiveMaximum = Flag("exclusiveMaximum"),
            MinLength = Whole("minLength"),
            MaxLength = Whole("maxLength"),
            MinItems = Whole("minItems"),
            MaxItems = Whole("maxItems"),
            MinProperties = Whole("minProperties"),
            MaxProperties = Whole("maxProperties"),
            Pattern = pattern is null ? null : new Regex(pattern, RegexOptions.CultureInvariant, PatternTimeout),
            PatternText = pattern,
            Required = json["required"] is JsonArray r ? [.. r.Select(x => (string)x!)] : [],
            AnyOf = Many("anyOf"),
            OneOf = Many("oneOf"),
            AllOf = Many("allOf"),
        };
    }

    /// <summary>Prunes, defaults and validates a whole custom resource (metadata is validated elsewhere).</summary>
    public void Apply(JsonObject resource, List<FieldError> errors, List<string> unknownFields)
    {
        foreach (var (name, value) in resource.ToList())
        {
            if (name is "apiVersion" or "kind" or "metadata") continue;
            if (Properties?.TryGetValue(name, out var child) == true)
            {
                child.Prune(value, name, unknownFields);
            }
            else if (!PreserveUnknownFields)
            {
                unknownFields.Add(name);
                resource.Remove(name);
            }
        }
        ApplyDefaults(resource, skipMetadata: true);
        foreach (var required in Required)
        {
            if (!resource.ContainsKey(required)) errors.Add(FieldError.Required(required));
        }
        foreach (var (name, child) in Properties ?? new Dictionary<string, StructuralSchema>())
        {
            if (name is "apiVersion" or "kind" or "metadata") continue;
            if (resource.TryGetPropertyValue(name, out var value)) child.Validate(value, name, errors);
        }
    }

    private void Prune(JsonNode? node, string path, List<string> unknownFields)
    {
        switch (node)
        {
            case JsonObject obj when !PreserveUnknownFields || Properties is not null || AdditionalProperties is not null:
                foreach (var (name, value) in obj.ToList())
                {
                    var childPath = $"{path}.{name}";
                    if (Properties?.TryGetValue(name, out var child) == true) child.Prune(value, childPath, unknownFields);
                    else if (AdditionalProperties is not null) AdditionalProperties.Prune(value, childPath, unknownFields);
                    else if (!AnyAdditionalProperties && !PreserveUnknownFields && !(EmbeddedResource && name is "apiVersion" or "kind" or "metadata"))
                    {
                        unknownFields.Add(childPath);
                        obj.Remove(name);
                    }
                }
                break;
            case JsonArray array when Items is not null:
                for (var i = 0; i < array.Count; i++) Items.Prune(array[i], $"{path}[{i}]", unknownFields);
                break;
        }
    }

    private void ApplyDefaults(JsonNode? node, bool skipMetadata = false)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in Properties ?? new Dictionary<string, StructuralSchema>())
                {
                    if (skipMetadata && name == "metadata") continue;
                    // As the API server does: a null where null is not allowed is dropped, then defaulted like a missing field.
                    if (obj.TryGetPropertyValue(name, out var given) && given is null && !child.Nullable) obj.Remove(name);
                    if (!obj.ContainsKey(name) && child.Default is not null) obj[name] = child.Default.DeepClone();
                    if (obj.TryGetPropertyValue(name, out var value)) child.ApplyDefaults(value);
                }
                if (AdditionalProperties is not null)
                {
                    foreach (var (_, value) in obj.ToList()) AdditionalProperties.ApplyDefaults(value);
                }
                break;
            case JsonArray array when Items is not null:
                foreach (var item in array) Items.ApplyDefaults(item);
                break;
        }
    }

    private void Validate(JsonNode? node, string path, List<FieldError> errors)
    {
        if (node is null)
        {
            if (!Nullable && Type is not null) errors.Add(FieldError.Invalid(path, "\"null\"", $"{path} in body must be of type {Type}: \"null\""));
            return;
        }
        if (!IntOrString && Type is not null && !HasType(node, Type))
        {
            errors.Add(FieldError.Invalid(path, Show(node), $"{path} in body must be of type {Type}: \"{KindOf(node)}\""));
            return;
        }
        if (IntOrString && node is not JsonValue)
        {
            errors.Add(FieldError.Invalid(path, Show(node), $"{path} in body must be of type integer or string: \"{KindOf(node)}\""));
            return;
        }
        if (Enum is not null && !Enum.Any(e => JsonNode.DeepEquals(e, node)))
        {
            errors.Add(FieldError.NotSupported(path, Show(node), Enum.Select(Show)));
        }
        switch (node)
        {
            case JsonObject obj:
                foreach (var required in Required)
                {
                    if (!obj.ContainsKey(required)) errors.Add(FieldError.Required($"{path}.{required}"));
                }
                foreach (var (name, value) in obj)
                {
                    if (Properties?.TryGetValue(name, out var child) == true) child.Validate(value, $"{path}.{name}", errors);
                    else AdditionalProperties?.Validate(value, $"{path}.{name}", errors);
                }
                if (MaxProperties is { } maxProps && obj.Count > maxProps) errors.Add(FieldError.TooMany(path, obj.Count, maxProps));
                if (MinProperties is { } minProps && obj.Count < minProps)
                {
                    errors.Add(FieldError.Invalid(path, obj.Count.ToString(CultureInfo.InvariantCulture), $"{path} in body should have at least {minProps} properties"));
                }
                break;
            case JsonArray array:
                if (MaxItems is { } maxItems && array.Count > maxItems) errors.Add(FieldError.TooMany(path, array.Count, maxItems));
                if (MinItems is { } minItems && array.Count < minItems)
                {
                    errors.Add(FieldError.Invalid(path, array.Count.ToString(CultureInfo.InvariantCulture), $"{path} in body should have at least {minItems} items"));
                }
                for (var i = 0; i < array.Count; i++) Items?.Validate(array[i], $"{path}[{i}]", errors);
                break;
            case JsonValue value:
                ValidateScalar(value, path, errors);
                break;
        }
        ValidateCombinators(node, path, errors);
    }

    private void ValidateScalar(JsonValue value, string path, List<FieldError> errors)
    {
        if (value.GetValueKind() == JsonValueKind.String)
        {
            var text = value.GetValue<string>();
            var length = System.Text.Encoding.UTF8.GetByteCount(text);
            if (MaxLength is { } max && length > max) errors.Add(FieldError.TooLong(path, max));
            if (MinLength is { } min && length < min) errors.Add(FieldError.Invalid(path, Show(value), $"{path} in body should be at least {min} chars long"));
            if (Pattern is not null && !MatchesPattern(text)) errors.Add(FieldError.Invalid(path, Show(value), $"{path} in body should match '{PatternText}'"));
            if (Format == "date-time" && !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _))
            {
                errors.Add(FieldError.Invalid(path, Show(value), $"{path} in body must be of type date-time: \"{text}\""));
            }
        }
        else if (value.GetValueKind() == JsonValueKind.Number)
        {
            var number = AsDouble(value);
            var shown = Show(value);
            if (Minimum is { } min && (ExclusiveMinimum ? number <= min : number < min))
            {
                errors.Add(FieldError.Invalid(path, shown, $"{path} in body should be greater than {(ExclusiveMinimum ? "" : "or equal to ")}{min.ToString(CultureInfo.InvariantCulture)}"));
            }
            if (Maximum is { } max && (ExclusiveMaximum ? number >= max : number > max))
            {
                errors.Add(FieldError.Invalid(path, shown, $"{path} in body should be less than {(ExclusiveMaximum ? "" : "or equal to ")}{max.ToString(CultureInfo.InvariantCulture)}"));
            }
        }
    }

    private bool MatchesPattern(string text)
    {
        try
        {
            return Pattern!.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private void ValidateCombinators(JsonNode node, string path, List<FieldError> errors)
    {
        foreach (var all in AllOf) all.Validate(node, path, errors);
        if (AnyOf.Count > 0 && !AnyOf.Any(s => s.Accepts(node, path)))
        {
            errors.Add(FieldError.Invalid(path, Show(node), $"{path} in body must match at least one schema in anyOf"));
        }
        if (OneOf.Count > 0 && OneOf.Count(s => s.Accepts(node, path)) != 1)
        {
            errors.Add(FieldError.Invalid(path, Show(node), $"{path} in body must validate one and only one schema (oneOf)"));
        }
    }

    private bool Accepts(JsonNode node, string path)
    {
        var errors = new List<FieldError>();
        Validate(node, path, errors);
        return errors.Count == 0;
    }

    private static bool HasType(JsonNode node, string type) => type switch
    {
        "object" => node is JsonObject,
        "array" => node is JsonArray,
        "string" => node is JsonValue v && v.GetValueKind() == JsonValueKind.String,
        "boolean" => node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        "number" => node is JsonValue v && v.GetValueKind() == JsonValueKind.Number,
        "integer" => node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && IsWhole(v),
        _ => true,
    };

    private static double AsDouble(JsonValue value) =>
        value.TryGetValue<double>(out var d) ? d : value.TryGetValue<long>(out var l) ? l : value.TryGetValue<int>(out var i) ? i : double.NaN;

    private static bool IsWhole(JsonValue value) =>
        value.TryGetValue<long>(out _) || (value.TryGetValue<double>(out var d) && Math.Abs(d % 1) < double.Epsilon && Math.Abs(d) < 9.2e18);

    private static string KindOf(JsonNode node) => node switch
    {
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => IsWhole(v) ? "integer" : "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        },
        _ => "null",
    };

    private static string Show(JsonNode? node) => node is null ? "\"null\"" : node.ToJsonString();
}
