namespace Ops.Operator.Api.V1Alpha1;

/// <summary>
/// A command's target as a key: "pod/NS/POD/CONTAINER" or "node/NODE", stable and unique within the command (the agent's
/// idempotency key); with '/' as '_' ('_' cannot occur in the names it joins) it is the target's key in the result
/// ConfigMaps, where a client such as kubectl ops reads a whole output.
/// </summary>
public static class TargetKeys
{
    public static string ForPod(string ns, string pod, string container) => $"pod/{ns}/{pod}/{container}";

    public static string ForNode(string node) => $"node/{node}";

    /// <summary>The key of a target's output in its result ConfigMap.</summary>
    public static string OutputKey(string targetKey) => targetKey.Replace('/', '_');

    /// <summary>The key of a result's output, from the result as the status records it.</summary>
    public static string OutputKey(string ns, V1Alpha1DiagnosticCommand.TargetRef target) =>
        OutputKey(target.Pod is { } pod ? ForPod(ns, pod, target.Container ?? "") : ForNode(target.Node ?? ""));
}
