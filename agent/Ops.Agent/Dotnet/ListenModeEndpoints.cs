using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ops.Agent.Hosting;

namespace Ops.Agent.Dotnet;

/// <summary>
/// Listen mode, for applications whose own diagnostics socket the agent cannot use (a read-only or
/// private /tmp): the pod opts in by mounting the node's Agent:DiagnosticPortsDirectory and setting
/// DOTNET_DiagnosticPorts=DIR/$(POD_UID).sock,nosuspend; its runtimes then connect to the agent. One
/// listener per pod, started when a command first targets the pod; a runtime is told apart from
/// others in the pod by its pid inside the pod's pid namespace, which it announces when it connects.
/// </summary>
public sealed partial class ListenModeEndpoints(IOptions<AgentOptions> options, ILogger<ListenModeEndpoints> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, PodListener> _pods = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    public bool Enabled => options.Value.DiagnosticPortsDirectory.Length > 0;

    /// <summary>Where the pod's runtimes connect, as the node sees it.</summary>
    public string SocketOf(string podUid) => Path.Combine(options.Value.DiagnosticPortsDirectory, $"{podUid}.sock");

    /// <summary>A client for the runtime of the pod whose pid in the pod is <paramref name="namespacePid"/>, or null when none connected within the wait.</summary>
    public async Task<DiagnosticsClient?> ConnectAsync(string podUid, int namespacePid, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (!Enabled || !PodUid().IsMatch(podUid)) return null;
        var listener = _pods.GetOrAdd(podUid, uid => new PodListener(SocketOf(uid), logger, _stopping.Token));
        var endpoint = await listener.WaitForAsync(namespacePid, wait, cancellationToken);
        return endpoint is null ? null : ReverseServerAdapter.ClientFor(endpoint);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        foreach (var listener in _pods.Values) await listener.DisposeAsync();
        _stopping.Dispose();
    }

    [GeneratedRegex("^[0-9a-f-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex PodUid();

    private sealed class PodListener : IAsyncDisposable
    {
        private readonly ReverseServerAdapter _server;
        private readonly ConcurrentDictionary<int, object> _endpoints = new();
        private readonly Task _accepting;
        private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public PodListener(string path, ILogger logger, CancellationToken stopping)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Delete(path);
            _server = new ReverseServerAdapter(path);
            _accepting = Task.Run(async () =>
            {
                while (!stopping.IsCancellationRequested)
                {
                    try
                    {
                        var (pid, cookie, endpoint) = await _server.AcceptAsync(stopping);
                        AgentLog.RuntimeConnected(logger, cookie, pid, path);
                        _endpoints[pid] = endpoint;
                        Interlocked.Exchange(ref _arrived, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                    }
                    catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception e) when (e is IOException or TimeoutException or System.Reflection.TargetInvocationException)
                    {
                        AgentLog.ListenAcceptFailed(logger, path, e);
                    }
                }
            }, CancellationToken.None);
        }

        public async Task<object?> WaitForAsync(int pid, TimeSpan wait, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(wait);
            while (true)
            {
                var arrived = Volatile.Read(ref _arrived).Task;
                if (_endpoints.TryGetValue(pid, out var endpoint)) return endpoint;
                try
                {
                    await arrived.WaitAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return null;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _server.DisposeAsync();
            await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
