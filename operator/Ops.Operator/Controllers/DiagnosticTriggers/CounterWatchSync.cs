using Grpc.Core;
using Microsoft.Extensions.Logging;
using Ops.Agent.V1;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Controllers;
using Ops.Operator.Agents;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticTriggers;

/// <summary>
/// While this replica leads, sends each node's agent every counter watch the triggers want there, every few seconds
/// (SyncWatches: level-triggered, so an agent that restarted or missed a sync is whole again at the next), records
/// what the agents answer in the <see cref="CounterWatchBook"/>, and wakes a trigger when one of its watches began or
/// stopped holding, crossed, or changed its reason. Only nodes with watches are called: 5,000 nodes and 20 watched
/// pods each are 1,000 small calls a second at most, and nothing reaches the API server until a trigger acts.
/// </summary>
public sealed class CounterWatchSync(CounterWatchBook book, AgentRegistry agents, AgentChannels channels, ReconcileTrigger<V1Alpha1DiagnosticTrigger> wake,
    TimeProvider clock, ILogger<CounterWatchSync> logger)
{
    /// <summary>How often each agent with watches is synced.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    /// <summary>How long an agent keeps its watches without a sync (a few periods: a missed sync or two loses nothing).</summary>
    public const int LeaseSeconds = 30;

    private readonly HashSet<string> _syncedNodes = new(StringComparer.Ordinal);

    public async Task RunAsync(CancellationToken leading)
    {
        using var timer = new PeriodicTimer(Period, clock);
        do
        {
            try
            {
                await SyncOnceAsync(leading);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                TriggerLog.SyncFailed(logger, e);
            }
        }
        while (await WaitAsync(timer, leading));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken leading)
    {
        try
        {
            return await timer.WaitForNextTickAsync(leading);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>One round: every node with watches, and once more each node that had some and has none now (its sessions stop at once).</summary>
    public async Task SyncOnceAsync(CancellationToken cancellationToken)
    {
        var byNode = book.ByNode();
        var nodes = byNode.Keys.Union(_syncedNodes, StringComparer.Ordinal).ToList();
        await Parallel.ForEachAsync(nodes, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken }, async (node, token) =>
        {
            var watches = byNode.GetValueOrDefault(node) ?? [];
            var states = await SyncNodeAsync(node, watches, token);
            var changed = book.Record(states);
            foreach (var trigger in watches.Where(w => changed.Contains(w.Watch.Watch.Id)).Select(w => w.Trigger).Distinct()) wake.Request(trigger);
        });
        lock (_syncedNodes)
        {
            _syncedNodes.Clear();
            _syncedNodes.UnionWith(byNode.Keys);
        }
        book.Prune();
    }

    private async Task<IEnumerable<WatchState>> SyncNodeAsync(string node, List<(NamespacedName Trigger, NodeWatch Watch)> watches, CancellationToken cancellationToken)
    {
        if (agents.For(node) is not { Ready: true } agent) return watches.Select(w => Unwatched(w.Watch, $"the Ops agent on node {node} is not ready"));
        var request = new SyncWatchesRequest { LeaseSeconds = LeaseSeconds };
        request.Watches.AddRange(watches.Select(w => w.Watch.Watch));
        try
        {
            var reply = await channels.For(agent.Address).SyncWatchesAsync(request, deadline: clock.GetUtcNow().UtcDateTime + Period, cancellationToken: cancellationToken);
            return reply.States;
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            TriggerLog.AgentSyncFailed(logger, node, e.Status.Detail);
            return watches.Select(w => Unwatched(w.Watch, $"the Ops agent on node {node} did not answer the watch sync: {e.Status.StatusCode} {e.Status.Detail}"));
        }
    }

    private static WatchState Unwatched(NodeWatch watch, string problem) => new() { Id = watch.Watch.Id, Problem = problem };
}
