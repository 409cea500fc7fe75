using k8s.Models;

namespace Ops.ControllerRuntime.Client;

/// <summary>What every status of ours carries, so one piece of code can write any of them.</summary>
public interface IControllerStatus
{
    long? ObservedGeneration { get; set; }

    List<V1Condition>? Conditions { get; set; }
}
