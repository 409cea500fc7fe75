using k8s.Models;
using Ops.KubectlPlugin.Cli;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.KubectlPlugin.Output;

/// <summary>
/// Each target's whole output, from the result ConfigMaps the operator packs them into (the status keeps only the first
/// KiB), under a heading per target; each ConfigMap is read once, when a target first needs it.
/// </summary>
public static class FullOutputs
{
    public static async Task WriteAsync(Terminal terminal, Api api, string ns, IEnumerable<V1Alpha1DiagnosticCommand.TargetResult> results, CancellationToken cancellationToken)
    {
        var shards = new Dictionary<string, V1ConfigMap>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            await terminal.Output.WriteLineAsync($"=== {ResultRows.TargetOf(result.Target)} on {result.Target.Node}: {result.Phase}{(result.Message is { } message ? $" ({message})" : "")}");
            await terminal.Output.WriteLineAsync(await OutputOfAsync(api, ns, result, shards, cancellationToken));
        }
    }

    private static async Task<string> OutputOfAsync(Api api, string ns, V1Alpha1DiagnosticCommand.TargetResult result, Dictionary<string, V1ConfigMap> shards, CancellationToken cancellationToken)
    {
        if (result.ResultRef is not { } reference) return result.Summary ?? "(no output)";
        if (!shards.TryGetValue(reference, out var shard)) shards[reference] = shard = await api.GetConfigMapAsync(ns, reference, cancellationToken);
        var key = TargetKeys.OutputKey(ns, result.Target);
        if (shard.Data?.TryGetValue(key, out var text) == true) return text.TrimEnd('\n') + (result.Truncated == true ? "\n(cut at the output's size cap)" : "");
        if (shard.BinaryData?.TryGetValue(key, out var bytes) == true) return $"({bytes.Length} bytes of binary output: kubectl get cm -n {ns} {reference} -o jsonpath='{{.binaryData.{key}}}' | base64 -d)";
        return result.Summary ?? "(no output)";
    }
}
