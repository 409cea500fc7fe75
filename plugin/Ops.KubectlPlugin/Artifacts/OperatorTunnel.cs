using System.Diagnostics;
using System.Text.RegularExpressions;
using Ops.KubectlPlugin.Cli;

namespace Ops.KubectlPlugin.Artifacts;

/// <summary>
/// The operator's TLS artifact port reached as a user reaches it on any cluster: <c>kubectl port-forward</c> to the
/// operator's Service (found by its label in the Ops namespace) on a free local port, with the same kubeconfig and
/// context as the plugin; stopped on dispose. The API server's service proxy would not do: it drops the caller's
/// Authorization header, which decides what a download may read.
/// </summary>
public sealed partial class OperatorTunnel : IAsyncDisposable
{
    public const string OperatorLabel = "app.kubernetes.io/name=ops-operator";
    private readonly Process _process;

    private OperatorTunnel(Process process, int localPort)
    {
        _process = process;
        LocalPort = localPort;
    }

    public int LocalPort { get; }

    public static async Task<OperatorTunnel> OpenAsync(KubeSession session, Api api, CancellationToken cancellationToken)
    {
        var services = await api.CallAsync(() => k8s.CoreV1OperationsExtensions.ListNamespacedServiceAsync(session.Client.CoreV1, session.OpsNamespace, labelSelector: OperatorLabel, cancellationToken: cancellationToken),
            $"the operator's Service in {session.OpsNamespace}");
        var service = services.Items.FirstOrDefault() ?? throw PluginException.Cluster($"no Service labelled {OperatorLabel} in {session.OpsNamespace}: is Ops installed there? (--ops-namespace)");
        var port = service.Spec.Ports?.FirstOrDefault(p => p.Name == "https")?.Port ?? throw PluginException.Cluster($"Service {session.OpsNamespace}/{service.Metadata.Name} has no port named https");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("KUBECTL") is { Length: > 0 } kubectl ? kubectl : "kubectl")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var arg in session.KubectlFlags.Concat(["port-forward", "-n", session.OpsNamespace, $"svc/{service.Metadata.Name}", "--address", "127.0.0.1", $":{port}"])) start.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw PluginException.Usage($"downloads run kubectl port-forward, and kubectl could not be started: {e.Message} (set KUBECTL to its path)");
        }
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            var line = await process.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            if (line is not null && Forwarding().Match(line) is { Success: true } match)
            {
                // kubectl prints more lines (IPv6, each connection); they are read and dropped so it never blocks writing them.
                _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
                return new OperatorTunnel(process, int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
            if (!process.HasExited) process.Kill();
            throw PluginException.Cluster($"kubectl port-forward to {session.OpsNamespace}/{service.Metadata.Name} failed: {(await errors).Trim()}");
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw PluginException.Cluster($"kubectl port-forward to {session.OpsNamespace}/{service.Metadata.Name} did not start within 30 s");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"^Forwarding from 127\.0\.0\.1:([0-9]+) -> ", RegexOptions.CultureInvariant)]
    private static partial Regex Forwarding();
}
