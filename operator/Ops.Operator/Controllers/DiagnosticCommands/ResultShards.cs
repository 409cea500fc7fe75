using System.Text;
using k8s;
using k8s.Models;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// Full outputs live in ConfigMaps owned by the command ("NAME-results-N"), packed up to a size well
/// under etcd's object limit, so a fan-out writes about (total output / shard size) objects rather
/// than one per target, and kubectl reaches each output: kubectl get cm NAME-results-N -o jsonpath='{.data.KEY}'.
/// </summary>
public static class ResultShards
{
    /// <summary>Bytes of output per ConfigMap; etcd refuses objects over about 1.5 MiB.</summary>
    public const int ShardBytes = 900 * 1024;

    /// <summary>The ConfigMap key of a target: its key with '/' as '_' ('_' cannot occur in the names it joins).</summary>
    public static string KeyOf(CommandTarget target) => TargetKeys.OutputKey(target.Key);

    public static string NameOf(string command, int shard) => $"{command}-results-{shard}";

    /// <summary>Writes a shard; one an earlier attempt wrote before it got as far as the status is replaced.</summary>
    public static async Task WriteAsync(IKubernetes client, V1ConfigMap shard, CancellationToken cancellationToken)
    {
        try
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(shard, shard.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            await client.CoreV1.ReplaceNamespacedConfigMapAsync(shard, shard.Metadata.Name, shard.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
        }
    }

    /// <summary>Assigns finished targets to shards in order, starting after the shards already written.</summary>
    public static List<V1ConfigMap> Pack(V1Alpha1DiagnosticCommand command, IEnumerable<TargetRecord> finished, int firstShard)
    {
        var shards = new List<V1ConfigMap>();
        V1ConfigMap? current = null;
        var size = 0;
        foreach (var record in finished)
        {
            var output = record.Output ?? [];
            if (current is null || size + output.Length > ShardBytes)
            {
                current = Shard(command, firstShard + shards.Count);
                shards.Add(current);
                size = 0;
            }
            if (IsUtf8(output)) current.Data[KeyOf(record.Target)] = Encoding.UTF8.GetString(output);
            else (current.BinaryData ??= new Dictionary<string, byte[]>())[KeyOf(record.Target)] = output;
            size += output.Length + KeyOf(record.Target).Length;
        }
        return shards;
    }

    private static V1ConfigMap Shard(V1Alpha1DiagnosticCommand command, int index) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = NameOf(command.Metadata.Name, index),
            NamespaceProperty = command.Metadata.NamespaceProperty,
            Labels = new Dictionary<string, string> { ["ops.dev/command"] = command.Metadata.Name, ["app.kubernetes.io/part-of"] = "ops" },
            OwnerReferences = [CommandPlans.OwnedBy(command)],
        },
        Data = new Dictionary<string, string>(),
    };

    private static bool IsUtf8(byte[] bytes)
    {
        try
        {
            _ = new UTF8Encoding(false, true).GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
