namespace Ops.Sandbox.Hosting;

/// <summary>Where the sandbox's kubeconfig is, known once the server has its port; pods wait for it before they start.</summary>
internal sealed class KubeconfigLocation
{
    private readonly TaskCompletionSource<string> _known = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<string> Known => _known.Task;

    public void Set(string path) => _known.TrySetResult(Path.GetFullPath(path));
}
