using Grpc.Core;
using Microsoft.Extensions.Logging;
using Ops.Agent.V1;
using Ops.Operator.Agents;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// Runs a command's targets on their nodes' agents, at most <c>parallelism</c> at once, and reports
/// each target's progress. Safe to run again for the same command (after an operator restart): the
/// agent's idempotency on (command uid, target key) means a target is attached to or its recorded
/// result returned, never run twice. An agent that is missing or dies yields a failed target with the
/// reason, never a hung command.
/// </summary>
public sealed class CommandFanOut(AgentChannels channels, Func<string, AgentEndpoint?> agentOf, TimeProvider clock, ILogger<CommandFanOut> logger)
{
    /// <summary>How long a target may wait for its node's agent to come back (an agent being replaced) before failing.</summary>
    public TimeSpan AgentGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs every target to a result. <paramref name="stopping"/> abandons the fan-out without touching the
    /// agents (a leader change: the next leader resumes it); <paramref name="cancelRequested"/> is the
    /// user's cancel: targets not started end Cancelled, running ones are cancelled on their agents.
    /// </summary>
    public async Task RunAsync(FanOutRequest request, Action<TargetRecord> report, CancellationToken stopping, CancellationToken cancelRequested = default)
    {
        using var slots = new SemaphoreSlim(Math.Max(1, request.Spec.ParallelismOrDefault()));
        var tasks = request.Targets.Select(async target =>
        {
            await slots.WaitAsync(stopping);
            try
            {
                if (cancelRequested.IsCancellationRequested)
                {
                    report(await RecordedOrCancelledAsync(request.CommandUid, target, stopping));
                    return;
                }
                report(new TargetRecord(target, TargetPhase.Running));
                report(await RunTargetAsync(request, target, stopping, cancelRequested));
            }
            finally
            {
                slots.Release();
            }
        });
        await Task.WhenAll(tasks);
    }

    private async Task<TargetRecord> RunTargetAsync(FanOutRequest request, CommandTarget target, CancellationToken cancellationToken, CancellationToken cancelRequested)
    {
        var timeout = TimeSpan.FromSeconds(request.Spec.TimeoutSecondsOrDefault());
        // The agent enforces the timeout; the operator allows a margin for the result to travel, and
        // the grace for an agent being replaced.
        var deadline = clock.GetUtcNow() + request.StartDelayOf(target) + timeout + AgentGrace + TimeSpan.FromSeconds(10);
        var attempt = 0;
        string? lastProblem = null;
        // The grace counts from when the agent went missing, not from the target's start: an agent
        // replaced late in a long target gets the same time to come back as one replaced at once.
        DateTimeOffset? agentMissingSince = null;
        while (clock.GetUtcNow() < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (cancelRequested.IsCancellationRequested) return await RecordedOrCancelledAsync(request.CommandUid, target, cancellationToken);
            var agent = agentOf(target.Node);
            if (agent is not { Ready: true })
            {
                lastProblem = agent is null ? $"no agent runs on node {target.Node}" : $"the agent on node {target.Node} is not ready";
                agentMissingSince ??= clock.GetUtcNow();
                if (clock.GetUtcNow() - agentMissingSince > AgentGrace) break;
                await Task.Delay(TimeSpan.FromMilliseconds(500), clock, cancellationToken);
                continue;
            }
            agentMissingSince = null;
            try
            {
                var client = channels.For(agent.Address);
                using var call = client.Execute(Request(request, target), deadline: deadline.UtcDateTime, cancellationToken: cancellationToken);
                // The stream stays open after a cancel: the agent answers it with the Cancelled result.
                await using var onCancel = cancelRequested.Register(() => _ = CancelOnAgentAsync(client, request.CommandUid, target, cancellationToken));
                if (await call.ResponseStream.ResultAsync(cancellationToken) is { } result) return Record(target, result);
                lastProblem = $"the agent on node {target.Node} ended the call without a result";
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.Cancelled && !cancellationToken.IsCancellationRequested)
            {
                // The agent went away mid-call: ask again (the agent attaches to or returns the same execution).
                lastProblem = $"the agent on node {target.Node} is unreachable: {e.Status.Detail}";
                CommandLog.TargetRetrying(logger, target.Key, lastProblem);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
            {
                lastProblem = $"no result from the agent on node {target.Node} within {timeout.TotalSeconds:0}s";
                break;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 200 * (1 << Math.Min(attempt++, 5)))), clock, cancellationToken);
        }
        return new TargetRecord(target, TargetPhase.Failed, -1, null, lastProblem ?? $"the target did not finish within {timeout.TotalSeconds:0}s");
    }

    /// <summary>
    /// A target not to be started: its recorded result when it ran already (a fan-out resumed after a
    /// cancel asks the agent, which never starts work for GetExecution), otherwise Cancelled.
    /// </summary>
    private async Task<TargetRecord> RecordedOrCancelledAsync(string commandUid, CommandTarget target, CancellationToken cancellationToken)
    {
        if (agentOf(target.Node) is { Ready: true } agent)
        {
            try
            {
                var recorded = await channels.For(agent.Address).GetExecutionAsync(new GetExecutionRequest { CommandUid = commandUid, TargetKey = target.Key },
                    deadline: clock.GetUtcNow().UtcDateTime.AddSeconds(5), cancellationToken: cancellationToken);
                if (recorded.Phase is ExecutionPhase.Succeeded or ExecutionPhase.Failed or ExecutionPhase.Cancelled) return Record(target, recorded);
            }
            catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
            {
                // Not run there (NotFound), or the agent cannot say: it is cancelled either way.
            }
        }
        return new TargetRecord(target, TargetPhase.Cancelled, -1, 0, "cancelled before it started");
    }

    /// <summary>Cancels whatever of the command still runs on these nodes' agents (the command was deleted while no fan-out followed it).</summary>
    public async Task CancelCommandAsync(string commandUid, IEnumerable<string> nodes, CancellationToken cancellationToken)
    {
        foreach (var node in nodes.Distinct(StringComparer.Ordinal))
        {
            if (agentOf(node) is not { Ready: true } agent) continue;
            try
            {
                await channels.For(agent.Address).CancelAsync(new CancelRequest { CommandUid = commandUid }, deadline: clock.GetUtcNow().UtcDateTime.AddSeconds(5), cancellationToken: cancellationToken);
            }
            catch (RpcException e)
            {
                CommandLog.CancelFailed(logger, commandUid, node, e.Status.Detail);
            }
        }
    }

    /// <summary>
    /// Asks the agent to cancel one target; repeated briefly while the agent reports nothing to cancel,
    /// because the Execute may still be on its way to the agent.
    /// </summary>
    private async Task CancelOnAgentAsync(Ops.Agent.V1.Agent.AgentClient client, string commandUid, CommandTarget target, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 10 && !cancellationToken.IsCancellationRequested; attempt++)
        {
            try
            {
                var reply = await client.CancelAsync(new CancelRequest { CommandUid = commandUid, TargetKey = target.Key },
                    deadline: clock.GetUtcNow().UtcDateTime.AddSeconds(5), cancellationToken: cancellationToken);
                if (reply.Cancelled > 0) return;
            }
            catch (RpcException e)
            {
                CommandLog.TargetCancelFailed(logger, target.Key, commandUid, target.Node, e.Status.Detail);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), clock, cancellationToken);
        }
    }

    private static ExecuteRequest Request(FanOutRequest request, CommandTarget target)
    {
        var execute = new ExecuteRequest
        {
            CommandUid = request.CommandUid,
            TargetKey = target.Key,
            Action = request.Spec.Action,
            TimeoutSeconds = request.Spec.TimeoutSecondsOrDefault(),
            StartDelayMs = (int)request.StartDelayOf(target).TotalMilliseconds,
            Target = new Target
            {
                Namespace = request.Namespace,
                Pod = target.Pod ?? "",
                PodUid = target.PodUid ?? "",
                Container = target.Container ?? "",
                ContainerId = target.ContainerId ?? "",
                Process = ProcessOf(request.Spec.Target.Pods?.Process),
                PodIp = target.PodIp ?? "",
                Node = target.IsNode,
            },
        };
        if (!target.IsNode) execute.Target.NetworkDestinations.AddRange(request.NetworkDestinations);
        foreach (var (name, value) in request.Spec.Parameters ?? []) execute.Parameters[name] = value;
        return execute;
    }

    /// <summary>A process selector of the API as the agent contract has it.</summary>
    public static ProcessSelector? ProcessOf(V1Alpha1DiagnosticCommand.ProcessSelector? process) =>
        process is null ? null : new ProcessSelector { Pid = process.Pid ?? 0, Name = process.Name ?? "", Port = process.Port ?? 0 };

    private static TargetRecord Record(CommandTarget target, ExecutionResult result) => new(
        target,
        result.Phase switch
        {
            ExecutionPhase.Succeeded => TargetPhase.Succeeded,
            ExecutionPhase.Cancelled => TargetPhase.Cancelled,
            _ => TargetPhase.Failed,
        },
        result.ExitCode,
        result.DurationMs,
        result.Message,
        result.Output.ToByteArray(),
        result.Truncated,
        result.Pid,
        [.. result.Artifacts]);
}
