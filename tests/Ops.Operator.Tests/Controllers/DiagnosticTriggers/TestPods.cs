using k8s.Models;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticTriggers;

namespace Ops.Operator.Tests.Controllers.DiagnosticTriggers;

/// <summary>Pods as the API shows them to a trigger: restarts with their last termination, readiness with its transition time.</summary>
internal static class TestPods
{
    public static readonly DateTimeOffset Created = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    public static V1Pod Running(string name, bool ready = true, DateTimeOffset? readySince = null, params V1ContainerStatus[] containers) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "shop", Uid = $"uid-{name}", Labels = new Dictionary<string, string> { ["app"] = "checkout" } },
        Spec = new V1PodSpec { NodeName = "node-1", Containers = [new V1Container { Name = "api" }] },
        Status = new V1PodStatus
        {
            Phase = "Running",
            Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False", LastTransitionTime = (readySince ?? Created.AddHours(-1)).UtcDateTime }],
            ContainerStatuses = containers.Length > 0 ? [.. containers] : [Container("api")],
        },
    };

    public static V1ContainerStatus Container(string name, int restarts = 0, DateTimeOffset? lastFinished = null, string reason = "Error", int exitCode = 134) => new()
    {
        Name = name,
        RestartCount = restarts,
        Ready = true,
        ContainerID = $"sandbox://{name}",
        State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = lastFinished?.UtcDateTime } },
        LastState = restarts == 0 ? null : new V1ContainerState { Terminated = new V1ContainerStateTerminated { Reason = reason, ExitCode = exitCode, FinishedAt = (lastFinished ?? Created).UtcDateTime } },
    };

    public static V1Pod Restarted(string name, int restarts, DateTimeOffset finished, string reason = "Error") => Running(name, containers: Container("api", restarts, finished, reason));

    public static V1Pod Pending(string name)
    {
        var pod = Running(name);
        pod.Status.Phase = "Pending";
        pod.Status.ContainerStatuses = [new V1ContainerStatus { Name = "api", State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" } } }];
        return pod;
    }

    /// <summary>The status a reconcile would write after this outcome, for the next evaluation to read.</summary>
    public static V1Alpha1DiagnosticTrigger.TriggerStatus StatusAfter(TriggerOutcome outcome) => new()
    {
        EvaluatedTime = outcome.EvaluatedTime.UtcDateTime,
        Firings = outcome.Firings,
        Totals = outcome.Totals,
    };
}
