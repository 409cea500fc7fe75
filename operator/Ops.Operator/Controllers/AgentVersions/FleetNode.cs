using k8s.Models;

namespace Ops.Operator.Controllers.AgentVersions;

/// <summary>
/// One node of the agent fleet as a reconcile sees it: its live agent pod (null while none runs or
/// its replacement has not been created yet), and whether that pod runs the version being rolled out.
/// </summary>
public sealed record FleetNode(string Name, bool IsCanary, V1Pod? Pod, bool RunsTarget)
{
    public bool Ready => Pod?.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>When the pod last became Ready (the condition's transition time).</summary>
    public DateTimeOffset? ReadySince => Ready && Pod!.Status.Conditions.First(c => c.Type == "Ready").LastTransitionTime is { } at
        ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc))
        : null;

    public int Restarts => Pod?.Status?.ContainerStatuses?.Sum(c => c.RestartCount) ?? 0;

    public DateTimeOffset? CreatedAt => Pod?.Metadata.CreationTimestamp is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
}
