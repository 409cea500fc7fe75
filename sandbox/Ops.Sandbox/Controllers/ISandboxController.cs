using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Controllers;

/// <summary>A control loop of the sandbox itself (what kube-controller-manager and the apiextensions server do on a real cluster).</summary>
internal interface ISandboxController
{
    /// <summary>Looks at the whole store once at start-up, so work left over from before a restart is finished.</summary>
    void Resync(StoreSnapshot snapshot);

    void OnEvent(WatchEvent change);
}
