using System.Diagnostics;
using k8s;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Hosting;

/// <summary>The README's main command, run as a separate process the way a newcomer runs it.</summary>
public sealed class UpCommandTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private static Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ops.Sandbox.dll"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        return Process.Start(start)!;
    }

    [Fact]
    public async Task Up_serves_the_crds_writes_a_kubeconfig_and_stops_cleanly_on_SIGTERM()
    {
        var kubeconfig = Path.Combine(TestWorkspace.CreateDirectory("up-"), "kubeconfig");
        using var process = Start("up", "--kubeconfig", kubeconfig, "--manifests", RepositoryPaths.Crds);
        try
        {
            var printed = new List<string>();
            using var ready = new CancellationTokenSource(Timeouts.Eventually);
            while (await process.StandardOutput.ReadLineAsync(ready.Token) is { } line)
            {
                printed.Add(line);
                if (line.StartsWith("press Ctrl+C", StringComparison.Ordinal)) break;
            }
            Assert.Contains($"kubeconfig: {kubeconfig}", printed);

            using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            var crds = await client.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: _ct);
            Assert.Equal(["agentversions.ops.dev", "diagnosticcommands.ops.dev", "diagnosticpolicies.ops.dev", "diagnostictriggers.ops.dev", "scheduledtasks.ops.dev"], crds.Items.Select(c => c.Metadata.Name).Order());

            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString()]))
            {
                await term.WaitForExitAsync(_ct);
            }
            using var exited = new CancellationTokenSource(Timeouts.Eventually);
            await process.WaitForExitAsync(exited.Token);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    [Theory]
    [InlineData("down")]
    [InlineData("up", "--port")]
    [InlineData("up", "--port", "many")]
    [InlineData("up", "--colour", "blue")]
    public async Task Bad_arguments_print_the_usage_and_exit_2(params string[] arguments)
    {
        using var process = Start(arguments);
        var stderr = await process.StandardError.ReadToEndAsync(_ct);
        await process.WaitForExitAsync(_ct);

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("usage: Ops.Sandbox up", stderr);
    }

    [Fact]
    public async Task A_port_in_use_is_reported_in_one_line_with_exit_1()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var kubeconfig = Path.Combine(TestWorkspace.CreateDirectory("up-"), "kubeconfig");

        using var process = Start("up", "--port", port.ToString(), "--kubeconfig", kubeconfig);
        var stderr = await process.StandardError.ReadToEndAsync(_ct);
        await process.WaitForExitAsync(_ct);

        Assert.Equal(1, process.ExitCode);
        Assert.StartsWith("error: the sandbox could not start:", stderr);
        Assert.Contains("address already in use", stderr);
    }
}
