using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// Keeps the targets a command was started on in an owned ConfigMap ("NAME-plan"), so that a restarted
/// or newly elected operator resumes the same targets (pods may have come and gone since), and a hash
/// of the spec it was started with, to tell a later spec edit. Stored gzip-compressed: 5,000 targets fit.
/// </summary>
public sealed class CommandPlans(IKubernetes client)
{
    public const string SpecHashAnnotation = "ops.dev/spec-hash";
    private const string DataKey = "targets.json.gz";

    public static string NameOf(string command) => $"{command}-plan";

    public sealed record Plan(IReadOnlyList<CommandTarget> Targets, string SpecHash);

    public async Task<Plan?> LoadAsync(V1Alpha1DiagnosticCommand command, CancellationToken cancellationToken)
    {
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
        using var input = new GZipStream(new MemoryStream(map.BinaryData[DataKey]), CompressionMode.Decompress);
        var targets = await JsonSerializer.DeserializeAsync<List<CommandTarget>>(input, cancellationToken: cancellationToken) ?? [];
        return new Plan(targets, (map.Metadata.Annotations is { } annotations && annotations.TryGetValue(SpecHashAnnotation, out var hash) ? hash : ""));
    }

    /// <summary>Saves the plan; when one exists already (an earlier attempt got this far), that one is kept and returned.</summary>
    public async Task<Plan> SaveAsync(V1Alpha1DiagnosticCommand command, IReadOnlyList<CommandTarget> targets, CancellationToken cancellationToken)
    {
        var plan = new Plan(targets, SpecHash(command.Spec));
        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            await JsonSerializer.SerializeAsync(gzip, targets, cancellationToken: cancellationToken);
        }
        var map = new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = NameOf(command.Metadata.Name),
                NamespaceProperty = command.Metadata.NamespaceProperty,
                Labels = new Dictionary<string, string> { ["ops.dev/command"] = command.Metadata.Name, ["app.kubernetes.io/part-of"] = "ops" },
                Annotations = new Dictionary<string, string> { [SpecHashAnnotation] = plan.SpecHash },
                OwnerReferences = [OwnedBy(command)],
            },
            BinaryData = new Dictionary<string, byte[]> { [DataKey] = buffer.ToArray() },
        };
        try
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(map, command.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            return plan;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return await LoadAsync(command, cancellationToken)
                ?? throw new InvalidOperationException($"ConfigMap {NameOf(command.Metadata.Name)} exists and does not belong to this command; delete it to run the command");
        }
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
