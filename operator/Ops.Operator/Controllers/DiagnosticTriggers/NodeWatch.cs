using Ops.Agent.V1;

namespace Ops.Operator.Controllers.DiagnosticTriggers;

/// <summary>A counter watch a trigger wants on a node: the agent's watch, and the pod and container it is for.</summary>
public sealed record NodeWatch(string Node, string Pod, string Container, CounterWatch Watch);
