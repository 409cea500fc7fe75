namespace Ops.Sandbox.Hosting;

/// <summary>Where the API server listens, known once it has its port; pods wait for it before they start (their KUBERNETES_SERVICE_HOST and _PORT).</summary>
internal sealed class ApiServerLocation
{
    private readonly TaskCompletionSource<Uri> _known = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<Uri> Known => _known.Task;

    public void Set(Uri url) => _known.TrySetResult(url);

    /// <summary>The environment a kubelet gives every container for in-cluster configuration.</summary>
    public static Dictionary<string, string> ServiceEnvironment(Uri url) => new(StringComparer.Ordinal)
    {
        ["KUBERNETES_SERVICE_HOST"] = url.Host,
        ["KUBERNETES_SERVICE_PORT"] = url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["KUBERNETES_SERVICE_PORT_HTTPS"] = url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["KUBERNETES_PORT"] = $"tcp://{url.Host}:{url.Port}",
    };
}
