using Ops.Agent.Actions;
using Ops.Agent.Dotnet;

namespace Ops.Agent.Watches;

/// <summary>
/// One long-lived EventPipe session reading a process's System.Runtime counters every interval, shared by every
/// watch of that process. It ends when the process exits or it is disposed; <see cref="Problem"/> says why it has
/// no values (it could not connect, the process exited).
/// </summary>
public sealed class CounterSession(ProcessKey process, DotnetProcess dotnet, V1.Target target, int intervalSeconds, DotnetSessions sessions,
    Action<ProcessKey, CounterValue> onValue, Func<ProcessKey, bool> isAlive, TimeProvider clock) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<string> _published = new(StringComparer.Ordinal);
    private Task _running = Task.CompletedTask;

    public ProcessKey Process => process;
    public int NamespacePid => dotnet.NamespacePid;
    public int IntervalSeconds => intervalSeconds;
    public string? Problem { get; private set; }
    public bool Ended => EndedAt is not null;
    public DateTimeOffset? EndedAt { get; private set; }
    public DateTimeOffset? FirstValueAt { get; private set; }

    /// <summary>The counters the process has published so far (a watch of another name says which there are).</summary>
    public IReadOnlyCollection<string> Published
    {
        get
        {
            lock (_published) return [.. _published.Order(StringComparer.Ordinal)];
        }
    }

    public void Start() => _running = RunAsync(_stop.Token);

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await sessions.ConnectAsync(dotnet, target, cancellationToken);
            using var session = await connection.Client.StartEventPipeSessionAsync([CounterPayload.Provider(intervalSeconds)], requestRundown: false, circularBufferMB: 4, cancellationToken);
            using var source = new EventPipeSource(session.EventStream);
            source.Dynamic.All += e =>
            {
                if (CounterPayload.Read(e) is not { } counter) return;
                lock (_published) _published.Add(counter.Name);
                FirstValueAt ??= clock.GetUtcNow();
                // A rate counter is judged per second, whatever the interval.
                onValue(process, counter.IsTotal ? counter with { Value = counter.Value / intervalSeconds } : counter);
            };
            var processing = Task.Run(source.Process, CancellationToken.None);
            await using (cancellationToken.Register(() => _ = session.StopAsync(CancellationToken.None)))
            {
                await processing;
            }
            if (!cancellationToken.IsCancellationRequested) Problem = isAlive(process) ? $"the counter session of process {process.Pid} ended" : $"process {process.Pid} exited";
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (ActionParameterException e)
        {
            Problem = e.Message;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever ends a session (a stream cut when the process dies reads as a FormatException in TraceEvent) ends
            // only this session: the watch says so, and the agent serves on.
            Problem = isAlive(process) ? $"the counter session of process {process.Pid} failed: {e.Message}" : $"process {process.Pid} exited";
        }
        finally
        {
            EndedAt = clock.GetUtcNow();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        _stop.Dispose();
    }
}
