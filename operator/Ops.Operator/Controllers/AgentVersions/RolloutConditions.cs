using Ops.ControllerRuntime.Client;

namespace Ops.Operator.Controllers.AgentVersions;

/// <summary>The condition types an AgentVersion reports, and the annotation that approves a paused step.</summary>
public static class RolloutConditions
{
    /// <summary>True while nodes are being moved to the new version; False with the reason it is not (paused, done, failed).</summary>
    public const string Progressing = "Progressing";

    /// <summary>False when an updated agent failed the health gate, naming the nodes and why.</summary>
    public const string Healthy = "Healthy";

    /// <summary>False when a newer AgentVersion owns the fleet: only the newest one is acted on.</summary>
    public const string Active = "Active";

    /// <summary>Set to a step's number to let the rollout go on after that step's approval pause.</summary>
    public const string ApprovedStepAnnotation = Api.V1Alpha1.V1Alpha1AgentVersion.ApprovedStepAnnotation;

    /// <summary>Active=True: this AgentVersion is the newest and owns the fleet.</summary>
    public static void SetActive(List<k8s.Models.V1Condition> conditions, long? generation, DateTimeOffset now) =>
        Conditions.Set(conditions, Active, true, "Newest", "the newest AgentVersion owns the agent fleet", generation, now);

    /// <summary>The step approved by annotation, or null when none is (or the value is not a step number).</summary>
    public static int? ApprovedStep(IDictionary<string, string>? annotations) =>
        annotations?.TryGetValue(ApprovedStepAnnotation, out var value) == true
        && int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var step) ? step : null;

    public static string ApproveCommand(string name, int step) => $"kubectl annotate agentversion {name} {ApprovedStepAnnotation}={step} --overwrite";
}
