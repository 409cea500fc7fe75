using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// Keeps the targets a command was started on, so that a restarted or newly elected operator resumes the
/// same targets (pods may have come and gone since), with a hash of the spec it was started with (to tell a
/// later spec edit) and when it started. The plan is recorded on the command itself, gzip-compressed, in
/// the same write that adds the cleanup finalizer: starting a command costs one API write before its first
/// target runs. A plan too large for an annotation (thousands of targets) goes to an owned ConfigMap
/// ("NAME-plan") first and the annotation points to it.
/// </summary>
public sealed class CommandPlans(IKubernetes client, CustomResourceClient<V1Alpha1DiagnosticCommand> commands, PlanSeal seal)
{
    /// <summary>The plan: "gzip:" and the base64 of the gzip-compressed JSON, or "configmap" when it is in NAME-plan.</summary>
    public const string PlanAnnotation = "ops.dev/plan";
    public const string SpecHashAnnotation = "ops.dev/spec-hash";
    public const string StartedAnnotation = "ops.dev/started-at";

    /// <summary>
    /// The largest plan kept in the annotation, about 300 pod targets: the command object carries it in every read, watch
    /// event and status write (and in kubectl get -o yaml), so larger plans, which are written once, go to the ConfigMap.
    /// </summary>
    public const int InlineLimit = 8 * 1024;

    private const string Inline = "gzip:";
    private const string InConfigMap = "configmap";
    private const string DataKey = "targets.json.gz";

    public static string NameOf(string command) => $"{command}-plan";

    /// <param name="Targets">The targets the command was started on.</param>
    /// <param name="SpecHash">The hash of the spec it was started with.</param>
    /// <param name="Intact">False when its seal does not hold: changed since the operator recorded it (<see cref="PlanSeal"/>).</param>
    public sealed record Plan(IReadOnlyList<CommandTarget> Targets, string SpecHash, bool Intact = true);

    /// <summary>Whether the command has been started (its plan is recorded), as far as this copy of it says.</summary>
    public static bool IsRecorded(V1Alpha1DiagnosticCommand command) => command.Metadata.Annotations?.ContainsKey(PlanAnnotation) == true;

    /// <summary>Where the plan is, for messages: the annotation, or the ConfigMap.</summary>
    public static string Location(V1Alpha1DiagnosticCommand command) =>
        Annotation(command, PlanAnnotation) == InConfigMap ? $"ConfigMap {NameOf(command.Metadata.Name)}" : $"annotation {PlanAnnotation}";

    private static string? Annotation(V1Alpha1DiagnosticCommand command, string name) =>
        command.Metadata.Annotations is { } annotations && annotations.TryGetValue(name, out var value) ? value : null;

    /// <summary>When the command's plan was recorded (its start), from the annotation.</summary>
    public static DateTimeOffset? StartedAt(V1Alpha1DiagnosticCommand command) =>
        Annotation(command, StartedAnnotation) is { } text
        && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    /// <summary>The recorded plan; null when the command has none (not started) or its ConfigMap is gone.</summary>
    public async Task<Plan?> LoadAsync(V1Alpha1DiagnosticCommand command, CancellationToken cancellationToken)
    {
        if (Annotation(command, PlanAnnotation) is not { } value) return null;
        var hash = Annotation(command, SpecHashAnnotation) ?? "";
        if (value.StartsWith(Inline, StringComparison.Ordinal)) return await OpenAsync(command, hash, Convert.FromBase64String(value[Inline.Length..]), cancellationToken);
        V1ConfigMap map;
        try
        {
            map = await client.CoreV1.ReadNamespacedConfigMapAsync(NameOf(command.Metadata.Name), command.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        // A plan left by an earlier command of the same name is not this command's.
        if (map.Metadata.OwnerReferences?.Any(o => o.Uid == command.Metadata.Uid) != true) return null;
        return await OpenAsync(command, hash, map.BinaryData[DataKey], cancellationToken);
    }

    private async Task<Plan> OpenAsync(V1Alpha1DiagnosticCommand command, string hash, byte[] compressed, CancellationToken cancellationToken) =>
        new(await DecodeAsync(compressed, cancellationToken), hash, seal.Holds(Annotation(command, PlanSeal.Annotation), command.Metadata.Uid, hash, compressed));

    /// <summary>
    /// Records the plan on the command together with the finalizer, each write conditional on the version of the command
    /// it read (so it never overwrites a plan another attempt recorded). A conflict with someone else's write (a label,
    /// an annotation) is tried again on a fresh read; a plan found recorded meanwhile is the one returned. Null when the
    /// command is gone, its spec changed, or the conflicts go on: the caller resolves again later.
    /// </summary>
    public async Task<(V1Alpha1DiagnosticCommand Stored, Plan Plan)?> RecordAsync(V1Alpha1DiagnosticCommand command, IReadOnlyList<CommandTarget> targets, string finalizer, DateTimeOffset now,
        IReadOnlyDictionary<string, string> decided, CancellationToken cancellationToken)
    {
        var compressed = await EncodeAsync(targets, cancellationToken);
        var inline = Inline + Convert.ToBase64String(compressed);
        if (inline.Length > InlineLimit) (targets, compressed) = await SaveConfigMapAsync(command, targets, compressed, cancellationToken);
        var plan = new Plan(targets, SpecHash(command.Spec));
        var annotations = new Dictionary<string, string>
        {
            [PlanAnnotation] = inline.Length > InlineLimit ? InConfigMap : inline,
            [SpecHashAnnotation] = plan.SpecHash,
            [StartedAnnotation] = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            [PlanSeal.Annotation] = seal.Of(command.Metadata.Uid, plan.SpecHash, compressed),
        };
        foreach (var (key, value) in decided) annotations[key] = value;
        var current = command;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            if (await commands.PatchMetadataAsync(current, annotations, finalizer, cancellationToken) is { } stored) return (stored, plan);
            var fresh = await commands.GetAsync(NamespacedName.Of(command), cancellationToken);
            if (fresh is null || fresh.Metadata.Uid != command.Metadata.Uid || fresh.Metadata.Generation != command.Metadata.Generation) return null;
            if (IsRecorded(fresh)) return await LoadAsync(fresh, cancellationToken) is { } recorded ? (fresh, recorded) : null;
            current = fresh;
        }
        return null;
    }

    /// <summary>
    /// Stores a large plan, replacing what NAME-plan holds (left by an earlier command of the same name, or written by the
    /// namespace's users before the start) unless this command's start is already recorded: then the plan an earlier
    /// attempt stored and sealed is the one, and it is returned.
    /// </summary>
    private async Task<(IReadOnlyList<CommandTarget> Targets, byte[] Compressed)> SaveConfigMapAsync(V1Alpha1DiagnosticCommand command, IReadOnlyList<CommandTarget> targets,
        byte[] compressed, CancellationToken cancellationToken)
    {
        var map = new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = NameOf(command.Metadata.Name),
                NamespaceProperty = command.Metadata.NamespaceProperty,
                Labels = new Dictionary<string, string> { ["ops.dev/command"] = command.Metadata.Name, ["app.kubernetes.io/part-of"] = "ops" },
                OwnerReferences = [OwnedBy(command)],
            },
            BinaryData = new Dictionary<string, byte[]> { [DataKey] = compressed },
        };
        try
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(map, command.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            return (targets, compressed);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            var existing = await client.CoreV1.ReadNamespacedConfigMapAsync(map.Metadata.Name, command.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            if (existing.Metadata.OwnerReferences?.Any(o => o.Uid == command.Metadata.Uid) == true && existing.BinaryData is { } data && data.TryGetValue(DataKey, out var earlier)
                && await commands.GetAsync(NamespacedName.Of(command), cancellationToken) is { } fresh && fresh.Metadata.Uid == command.Metadata.Uid && IsRecorded(fresh))
            {
                return (await DecodeAsync(earlier, cancellationToken), earlier);
            }
            map.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
            await client.CoreV1.ReplaceNamespacedConfigMapAsync(map, map.Metadata.Name, command.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            return (targets, compressed);
        }
    }

    private static async Task<byte[]> EncodeAsync(IReadOnlyList<CommandTarget> targets, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            await JsonSerializer.SerializeAsync(gzip, targets, cancellationToken: cancellationToken);
        }
        return buffer.ToArray();
    }

    private static async Task<List<CommandTarget>> DecodeAsync(byte[] compressed, CancellationToken cancellationToken)
    {
        using var input = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        return await JsonSerializer.DeserializeAsync<List<CommandTarget>>(input, cancellationToken: cancellationToken) ?? [];
    }

    /// <summary>A hash of what the command was asked to do, over canonical JSON (keys sorted); <c>cancel</c> is left out because it may change.</summary>
    public static string SpecHash(V1Alpha1DiagnosticCommand.CommandSpec spec)
    {
        var node = JsonNode.Parse(KubernetesJson.Serialize(spec))!.AsObject();
        node.Remove("cancel");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(node)!.ToJsonString())))[..16].ToLowerInvariant();
    }

    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Canonical)]),
        _ => node?.DeepClone(),
    };

    public static V1OwnerReference OwnedBy(V1Alpha1DiagnosticCommand command) => new()
    {
        ApiVersion = ApiGroup.ApiVersion, Kind = V1Alpha1DiagnosticCommand.KindName, Name = command.Metadata.Name, Uid = command.Metadata.Uid,
        Controller = true, BlockOwnerDeletion = true,
    };
}
