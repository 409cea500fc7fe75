namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// One target of a command: a container of a pod, or a node. The key is stable and unique within
/// the command ("pod/NS/POD/CONTAINER" or "node/NODE") and is the agent's idempotency key.
/// </summary>
public sealed record CommandTarget(string Key, string Node, string? Namespace = null, string? Pod = null, string? PodUid = null,
    string? Container = null, string? ContainerId = null, string? PodIp = null)
{
    public bool IsNode => Pod is null;

    public static CommandTarget ForNode(string node) => new(Api.V1Alpha1.TargetKeys.ForNode(node), node);
}
