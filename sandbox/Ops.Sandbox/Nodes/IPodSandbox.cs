using System.Text.Json.Nodes;

namespace Ops.Sandbox.Nodes;

/// <summary>One pod's share of a node runtime. Disposing it removes what is left of the pod's containers.</summary>
internal interface IPodSandbox : IAsyncDisposable
{
    /// <summary>
    /// Starts the pod's container of <paramref name="spec"/> for the <paramref name="attempt"/>-th time (from 0);
    /// throws <see cref="ContainerStartException"/> with the kubelet's waiting reason when it cannot.
    /// </summary>
    Task<IContainerProcess> StartContainerAsync(JsonObject spec, int attempt, CancellationToken cancellationToken);
}
