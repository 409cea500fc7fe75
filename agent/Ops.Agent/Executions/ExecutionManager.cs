using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ops.Agent.Actions;
using Ops.Agent.Hosting;
using Ops.Agent.V1;

namespace Ops.Agent.Executions;

/// <summary>
/// Runs executions exactly once per (command uid, target key): a replay attaches to the running one or
/// gets the recorded result. Executions are detached from the calling stream, so an operator that
/// disconnects or restarts finds the work finished (or running) when it comes back.
/// </summary>
public sealed class ExecutionManager(ActionCatalog catalog, ExecutionJournal journal, IOptions<AgentOptions> options, Metrics.AgentMetrics metrics, TimeProvider clock, ILogger<ExecutionManager> logger)
{
    private readonly ConcurrentDictionary<ExecutionKey, Running> _running = new();
    private readonly Lock _lock = new();
    private int _started;

    /// <summary>Executions actually started by this process (replays do not count).</summary>
    public int Started => _started;

    private sealed record Running(Task<ExecutionResult> Result, CancellationTokenSource Cancel);

    public Task<ExecutionResult> StartOrAttachAsync(ExecuteRequest request)
    {
        var key = new ExecutionKey(request.CommandUid, request.TargetKey);
        lock (_lock)
        {
            if (_running.TryGetValue(key, out var running)) return running.Result;
            if (journal.Find(key) is { } recorded) return Task.FromResult(recorded);
            if (journal.WasStarted(key)) return Task.FromResult(Interrupted(key));

            journal.MarkStarted(key);
            Interlocked.Increment(ref _started);
            var cancel = new CancellationTokenSource();
            var task = Task.Run(() => RunAsync(request, key, cancel.Token), CancellationToken.None);
            _running[key] = new Running(task, cancel);
            _ = task.ContinueWith(_ =>
            {
                _running.TryRemove(key, out var finished);
                finished?.Cancel.Dispose();
            }, TaskScheduler.Default);
            return task;
        }
    }

    /// <summary>Forgets the journal's old records, never those of a command still running here.</summary>
    public int DeleteExpired()
    {
        lock (_lock)
        {
            var running = _running.Keys.Select(k => ExecutionJournal.DirectoryName(k.CommandUid)).ToHashSet(StringComparer.Ordinal);
            return journal.DeleteExpired(running.Contains);
        }
    }

    public ExecutionResult? Find(ExecutionKey key)
    {
        if (_running.ContainsKey(key)) return new ExecutionResult { CommandUid = key.CommandUid, TargetKey = key.TargetKey, Phase = ExecutionPhase.Running };
        lock (_lock) return journal.Find(key) ?? (journal.WasStarted(key) ? Interrupted(key) : null);
    }

    /// <summary>Cancels one target, or every target of the command when the target key is empty.</summary>
    public int Cancel(string commandUid, string targetKey)
    {
        var cancelled = 0;
        foreach (var (key, running) in _running)
        {
            if (key.CommandUid != commandUid || (targetKey.Length > 0 && key.TargetKey != targetKey)) continue;
            try
            {
                running.Cancel.Cancel();
                cancelled++;
            }
            catch (ObjectDisposedException)
            {
                // Finished meanwhile.
            }
        }
        return cancelled;
    }

    private ExecutionResult Interrupted(ExecutionKey key)
    {
        var result = new ExecutionResult
        {
            CommandUid = key.CommandUid,
            TargetKey = key.TargetKey,
            Phase = ExecutionPhase.Failed,
            ExitCode = -1,
            Message = "the agent restarted while this target was running; it was not run again",
        };
        journal.Save(result);
        return result;
    }

    private async Task<ExecutionResult> RunAsync(ExecuteRequest request, ExecutionKey key, CancellationToken cancelled)
    {
        var started = clock.GetUtcNow();
        var watch = new Stopwatch();
        // Only known actions get a label of their own, so a caller cannot grow the metrics without bound.
        var label = catalog.TryGet(request.Action, out _) ? request.Action : "unknown";
        ActionOutcome outcome;
        var phase = ExecutionPhase.Failed;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancelled);
        try
        {
            // The start delay (a schedule's jitter) does not count against the target's time.
            if (request.StartDelayMs > 0) await Task.Delay(TimeSpan.FromMilliseconds(request.StartDelayMs), clock, cancelled);
            watch.Start();
            metrics.InFlight.WithLabels(label).Inc();
            if (request.TimeoutSeconds > 0) timeout.CancelAfter(TimeSpan.FromSeconds(request.TimeoutSeconds));
            if (!catalog.TryGet(request.Action, out var action))
            {
                outcome = ActionOutcome.Failure($"unknown action \"{request.Action}\"; this agent runs: {string.Join(", ", catalog.Names)}");
            }
            else if (action.Definition.Problems(request.Parameters) is [var problem, ..])
            {
                // Checked again here: the operator refuses a bad command first, but another client may call the agent.
                outcome = ActionOutcome.Failure(problem);
            }
            else
            {
                var context = new ActionContext(request.Parameters, request.Target ?? new Target(), options.Value, request.CommandUid, request.TargetKey);
                outcome = await action.RunAsync(context, timeout.Token);
                phase = outcome.Succeeded ? ExecutionPhase.Succeeded : ExecutionPhase.Failed;
            }
        }
        catch (ActionParameterException e)
        {
            outcome = ActionOutcome.Failure(e.Message);
        }
        catch (Artifacts.ArtifactBudgetException e)
        {
            outcome = ActionOutcome.Failure(e.Message);
        }
        catch (OperationCanceledException) when (cancelled.IsCancellationRequested)
        {
            outcome = ActionOutcome.Failure("cancelled", exitCode: -1);
            phase = ExecutionPhase.Cancelled;
        }
        catch (OperationCanceledException)
        {
            outcome = ActionOutcome.Failure($"timed out after {request.TimeoutSeconds}s", exitCode: -1);
        }
        catch (Exception e)
        {
            AgentLog.ActionFailed(logger, request.Action, key.TargetKey, e);
            outcome = ActionOutcome.Failure($"the action failed: {e.Message}");
        }

        if (watch.IsRunning) metrics.InFlight.WithLabels(label).Dec();
        metrics.Executions.WithLabels(label, phase.ToString().ToLowerInvariant()).Inc();
        metrics.ExecutionDuration.WithLabels(label).Observe(watch.Elapsed.TotalSeconds);
        var (output, truncated) = Cap(outcome.Output, options.Value.MaxOutputBytes);
        var result = new ExecutionResult
        {
            CommandUid = key.CommandUid,
            TargetKey = key.TargetKey,
            Phase = phase,
            ExitCode = outcome.ExitCode,
            DurationMs = watch.ElapsedMilliseconds,
            Message = outcome.Message,
            Output = ByteString.CopyFrom(output),
            Truncated = truncated,
            Started = Timestamp.FromDateTimeOffset(started),
            Finished = Timestamp.FromDateTimeOffset(clock.GetUtcNow()),
            Pid = outcome.Pid,
        };
        result.Artifacts.AddRange(outcome.Artifacts ?? []);
        journal.Save(result);
        AgentLog.ExecutionEnded(logger, request.Action, key.CommandUid, key.TargetKey, phase, result.DurationMs);
        return result;
    }

    private static (byte[] Bytes, bool Truncated) Cap(string output, int max)
    {
        var bytes = Encoding.UTF8.GetBytes(output);
        return bytes.Length <= max ? (bytes, false) : (bytes[..max], true);
    }
}
