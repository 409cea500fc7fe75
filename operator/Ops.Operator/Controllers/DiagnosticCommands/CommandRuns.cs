using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Controllers;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Policies;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>The fan-outs this operator is running, by command uid.</summary>
public sealed class CommandRuns(CommandFanOut fanOut, NamespacePolicies policies, ReconcileTrigger<V1Alpha1DiagnosticCommand> trigger, TimeProvider clock, ILogger<CommandRuns> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, CommandRun> _runs = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>How often a running command's status is brought up to date at most.</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(1);

    public int Count => _runs.Count;

    public CommandRun? Find(string uid) => _runs.GetValueOrDefault(uid);

    /// <summary>The uids of the commands of <paramref name="ns"/> whose targets are still running here.</summary>
    public IEnumerable<string> RunningIn(string ns) => _runs.Where(r => r.Value.Key.Namespace == ns && !r.Value.IsFinished).Select(r => r.Key);

    /// <summary>The command's fan-out, started when there is none (cancelled from the start when the spec says so).</summary>
    public CommandRun GetOrStart(V1Alpha1DiagnosticCommand command, IReadOnlyList<CommandTarget> targets)
    {
        lock (_runs)
        {
            if (_runs.TryGetValue(command.Metadata.Uid, out var existing)) return existing;
            CommandLog.FanOutStarted(logger, command.Spec.Action, command.Metadata.NamespaceProperty, command.Metadata.Name, targets.Count);
            var jitter = command.Metadata.Annotations is { } annotations && annotations.TryGetValue(CommandAnnotations.JitterSeconds, out var text)
                && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) ? Math.Min(seconds, 3600) : 0;
            var request = new FanOutRequest(command.Metadata.Uid, command.Metadata.NamespaceProperty ?? "", command.Spec, targets, jitter)
            {
                // From the policies as they are now, never from the command's annotations, which its namespace may edit.
                NetworkDestinations = policies.For(command.Metadata.NamespaceProperty ?? "") is { } applying ? NetworkDestinations.Combine(applying) : [],
            };
            var run = _runs[command.Metadata.Uid] = new CommandRun(NamespacedName.Of(command), request, fanOut, trigger.Request, clock, StatusInterval, logger, _stopping.Token, cancelled: command.Spec.Cancel == true);
            return run;
        }
    }

    public void Forget(string uid)
    {
        if (_runs.TryRemove(uid, out var run)) run.Dispose();
    }

    public void Dispose()
    {
        _stopping.Cancel();
        foreach (var uid in _runs.Keys) Forget(uid);
        _stopping.Dispose();
    }
}
