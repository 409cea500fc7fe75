using System.Diagnostics;

namespace Ops.TestSupport;

/// <summary><c>kubectl port-forward</c> running in the background, as a user leaves it in another terminal; stopped on dispose.</summary>
public sealed class KubectlPortForward : IDisposable
{
    private readonly Process _process;

    private KubectlPortForward(Process process, int localPort)
    {
        _process = process;
        LocalPort = localPort;
    }

    /// <summary>The port on 127.0.0.1 that reaches the target.</summary>
    public int LocalPort { get; }

    /// <summary>
    /// Starts <c>kubectl port-forward TARGET LOCAL:REMOTE</c> and waits for its "Forwarding from" line; without
    /// <paramref name="webSockets"/>, kubectl upgrades to SPDY as clients before 1.31 did (KUBECTL_PORT_FORWARD_WEBSOCKETS=false).
    /// </summary>
    public static async Task<KubectlPortForward> StartAsync(string kubeconfigPath, string ns, string target, int remotePort, CancellationToken cancellationToken, bool webSockets = true)
    {
        var local = Ops.Sandbox.Hosting.LoopbackPorts.Free();
        var start = Kubectl.StartInfo(kubeconfigPath, ["port-forward", target, "-n", ns, "--address", "127.0.0.1", $"{local}:{remotePort}"]);
        start.Environment["KUBECTL_PORT_FORWARD_WEBSOCKETS"] = webSockets ? "true" : "false";
        var process = Process.Start(start)!;
        var forward = new KubectlPortForward(process, local);
        try
        {
            var line = await process.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(Timeouts.Kubectl, cancellationToken);
            if (line?.StartsWith($"Forwarding from 127.0.0.1:{local} -> ", StringComparison.Ordinal) != true)
            {
                throw new InvalidOperationException($"kubectl port-forward {target} printed \"{line}\": {await process.StandardError.ReadToEndAsync(cancellationToken)}");
            }
            return forward;
        }
        catch
        {
            forward.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.Dispose();
    }
}
