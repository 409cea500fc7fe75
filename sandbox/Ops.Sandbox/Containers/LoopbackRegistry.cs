using System.Diagnostics;

namespace Ops.Sandbox.Containers;

/// <summary>
/// An image registry on the loopback (Debian's docker-registry, the distribution registry), storing in a
/// directory given to it and serving plain HTTP: what the containerd runtime pulls from here, where no public
/// registry can be reached. The caller starts its process (so it dies with the caller's host).
/// </summary>
public sealed class LoopbackRegistry : IAsyncDisposable
{
    private readonly Process _process;

    private LoopbackRegistry(string address, Process process)
    {
        Address = address;
        _process = process;
    }

    /// <summary>host:port, as image references and containerd's mirror settings name it.</summary>
    public string Address { get; }

    /// <summary>Starts a registry storing under <paramref name="directory"/> on a free loopback port; waits until it answers.</summary>
    public static async Task<LoopbackRegistry> StartAsync(string directory, Func<ProcessStartInfo, Process> start, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var address = $"127.0.0.1:{Hosting.LoopbackPorts.Free()}";
        var config = Path.Combine(directory, "config.yml");
        await File.WriteAllTextAsync(config, $"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {directory}/data\n  delete:\n    enabled: true\nhttp:\n  addr: {address}\n", cancellationToken);
        var process = start(new ProcessStartInfo("docker-registry", ["serve", config]) { RedirectStandardOutput = true, RedirectStandardError = true });
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new LoopbackRegistry(address, process);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await http.GetAsync(new Uri($"http://{address}/v2/"), cancellationToken)).IsSuccessStatusCode) return registry;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
            }
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                await registry.DisposeAsync();
                throw new InvalidOperationException($"the registry on {address} did not answer (docker-registry {(process.HasExited ? $"exited with {process.ExitCode}" : "still starting after 30 s")})");
            }
            await Task.Delay(100, cancellationToken);
        }
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
