using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Ops.ControllerRuntime.Client;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// One command's fan-out running in the background, with the latest record of every target. It asks
/// for a reconcile when something changed — at most once a second while targets progress, at once
/// when the last one finishes — so a large fan-out costs a handful of status writes, not one per target.
/// </summary>
public sealed class CommandRun : IDisposable
{
    private readonly ConcurrentDictionary<string, TargetRecord> _records;
    private readonly CancellationTokenSource _cancel = new();
    private readonly CancellationTokenSource _stop;
    private readonly NamespacedName _key;
    private readonly Action<NamespacedName> _notify;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _notifyInterval;
    private int _notifyPending;

    public CommandRun(NamespacedName key, FanOutRequest request, CommandFanOut fanOut, Action<NamespacedName> notify, TimeProvider clock, TimeSpan notifyInterval, ILogger logger, CancellationToken stopping, bool cancelled = false)
    {
        if (cancelled) _cancel.Cancel();
        _key = key;
        _notify = notify;
        _clock = clock;
        _notifyInterval = notifyInterval;
        _records = new(request.Targets.Select(t => KeyValuePair.Create(t.Key, new TargetRecord(t, TargetPhase.Pending))), StringComparer.Ordinal);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        Completion = Task.Run(async () =>
        {
            try
            {
                await fanOut.RunAsync(request, Report, _stop.Token, _cancel.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A bug must not leave the command running forever: what did not finish fails with the reason.
                CommandLog.FanOutFailed(logger, key, e);
                foreach (var record in _records.Values.Where(r => !r.IsFinished))
                {
                    _records[record.Target.Key] = record with { Phase = TargetPhase.Failed, ExitCode = -1, Message = $"the operator failed to run this target: {e.Message}" };
                }
            }
            _notify(_key);
        }, CancellationToken.None);
    }

    public Task Completion { get; }

    /// <summary>Every target finished (false while abandoned by a stopping operator).</summary>
    public bool IsFinished => Completion.IsCompleted && _records.Values.All(r => r.IsFinished);

    public bool CancelRequested => _cancel.IsCancellationRequested;

    public IReadOnlyCollection<TargetRecord> Records => [.. _records.Values];

    /// <summary>The user's cancel: targets not started end Cancelled, running ones are cancelled on their agents.</summary>
    public void Cancel()
    {
        if (_cancel.IsCancellationRequested) return;
        _cancel.Cancel();
        _notify(_key);
    }

    private void Report(TargetRecord record)
    {
        _records[record.Target.Key] = record;
        if (Interlocked.Exchange(ref _notifyPending, 1) == 1) return;
        _ = Task.Delay(_notifyInterval, _clock, _stop.Token).ContinueWith(_ =>
        {
            Volatile.Write(ref _notifyPending, 0);
            if (!_stop.IsCancellationRequested) _notify(_key);
        }, TaskScheduler.Default);
    }

    /// <summary>Stops following the fan-out without touching the agents (the next leader resumes it).</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _cancel.Dispose();
    }
}
