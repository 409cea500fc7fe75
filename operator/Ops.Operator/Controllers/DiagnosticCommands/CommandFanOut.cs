using Grpc.Core;
using Microsoft.Extensions.Logging;
using Ops.Agent.V1;
using Ops.Operator.Agents;

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

    public async Task RunAsync(FanOutRequest request, Action<TargetRecord> report, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(Math.Max(1, request.Spec.Parallelism ?? 100));
        var tasks = request.Targets.Select(async target =>
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                report(new TargetRecord(target, TargetPhase.Running));
                report(await RunTargetAsync(request, target, cancellationToken));
            }
            finally
            {
                slots.Release();
            }
        });
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await CancelOnAgentsAsync(request);
            throw;
        }
    }

    private async Task<TargetRecord> RunTargetAsync(FanOutRequest request, CommandTarget target, CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(request.Spec.TimeoutSeconds ?? 60);
        // The agent enforces the timeout; the operator allows a margin for the result to travel, and
        // the grace for an agent being replaced.
        var deadline = clock.GetUtcNow() + timeout + AgentGrace + TimeSpan.FromSeconds(10);
        var attempt = 0;
        string? lastProblem = null;
        while (clock.GetUtcNow() < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var agent = agentOf(target.Node);
            if (agent is not { Ready: true })
            {
                lastProblem = agent is null ? $"no agent runs on node {target.Node}" : $"the agent on node {target.Node} is not ready";
                if (clock.GetUtcNow() > deadline - timeout - TimeSpan.FromSeconds(10)) break;
                await Task.Delay(TimeSpan.FromMilliseconds(500), clock, cancellationToken);
                continue;
            }
            try
            {
                using var call = channels.For(agent.Address).Execute(Request(request, target), deadline: deadline.UtcDateTime, cancellationToken: cancellationToken);
                await foreach (var e in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    if (e.EventCase == ExecuteEvent.EventOneofCase.Result) return Record(target, e.Result);
                }
                lastProblem = $"the agent on node {target.Node} ended the call without a result";
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.Cancelled && !cancellationToken.IsCancellationRequested)
            {
                // The agent went away mid-call: ask again (the agent attaches to or returns the same execution).
                lastProblem = $"the agent on node {target.Node} is unreachable: {e.Status.Detail}";
                logger.LogInformation("Target {Target}: {Problem}; retrying", target.Key, lastProblem);
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

    private async Task CancelOnAgentsAsync(FanOutRequest request)
    {
        foreach (var node in request.Targets.Select(t => t.Node).Distinct())
        {
            if (agentOf(node) is not { Ready: true } agent) continue;
            try
            {
                await channels.For(agent.Address).CancelAsync(new CancelRequest { CommandUid = request.CommandUid }, deadline: DateTime.UtcNow.AddSeconds(5));
            }
            catch (RpcException e)
            {
                logger.LogWarning("Could not cancel command {CommandUid} on node {Node}: {Detail}", request.CommandUid, node, e.Status.Detail);
            }
        }
    }

    private static ExecuteRequest Request(FanOutRequest request, CommandTarget target)
    {
        var execute = new ExecuteRequest
        {
            CommandUid = request.CommandUid,
            TargetKey = target.Key,
            Action = request.Spec.Action,
            TimeoutSeconds = request.Spec.TimeoutSeconds ?? 60,
            Target = new Target
            {
                Namespace = request.Namespace,
                Pod = target.Pod ?? "",
                PodUid = target.PodUid ?? "",
                Container = target.Container ?? "",
                ContainerId = target.ContainerId ?? "",
                PodIp = target.PodIp ?? "",
                Node = target.IsNode,
            },
        };
        foreach (var (name, value) in request.Spec.Parameters ?? []) execute.Parameters[name] = value;
        return execute;
    }

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
        result.Pid);
}
