using System.Collections.Concurrent;
using Grpc.Core;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Ops.Agent.V1;
using Ops.Operator.Agents;

namespace Ops.Operator.Controllers.AgentVersions;

/// <summary>
/// Asks an updated agent, over the same mTLS gRPC the commands use, whether it is healthy: it must
/// report the version being rolled out and, when the gate asks for it, pass agent.selftest. A verdict
/// is kept per pod (a pod's agent does not change version), so a reconcile asks each agent once; an
/// agent that cannot be reached yet gets no verdict and is asked again later.
/// </summary>
public sealed class AgentHealthGate(AgentChannels channels, int agentPort, TimeProvider clock, ILogger<AgentHealthGate> logger)
{
    private readonly ConcurrentDictionary<string, GateResult> _verdicts = new(StringComparer.Ordinal);

    public async Task<GateResult> CheckAsync(string rolloutUid, V1Pod pod, string version, bool selfTest, CancellationToken cancellationToken)
    {
        var key = $"{pod.Metadata.Uid}/{version}/{selfTest}";
        if (_verdicts.TryGetValue(key, out var known)) return known;
        if (string.IsNullOrEmpty(pod.Status?.PodIP)) return GateResult.Pending("the agent pod has no IP yet");
        var client = channels.For($"{pod.Status.PodIP}:{agentPort}");
        GateResult verdict;
        try
        {
            var info = await client.GetInfoAsync(new GetInfoRequest(), deadline: Deadline(10), cancellationToken: cancellationToken);
            if (info.Version != version) verdict = GateResult.Failed($"the agent reports version {info.Version}, not {version}");
            else if (!selfTest) verdict = GateResult.Passed($"reports version {version}");
            else verdict = await SelfTestAsync(client, rolloutUid, pod, version, cancellationToken);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            RolloutLog.AgentNotReachable(logger, pod.Metadata.Name, e.StatusCode, e.Status.Detail);
            return GateResult.Pending($"the agent is not reachable yet: {e.Status.Detail}");
        }
        _verdicts[key] = verdict;
        return verdict;
    }

    /// <summary>Drops the verdicts of pods that no longer exist.</summary>
    public void Forget(IReadOnlySet<string> livePodUids)
    {
        foreach (var key in _verdicts.Keys)
        {
            if (!livePodUids.Contains(key[..key.IndexOf('/')])) _verdicts.TryRemove(key, out _);
        }
    }

    private async Task<GateResult> SelfTestAsync(Ops.Agent.V1.Agent.AgentClient client, string rolloutUid, V1Pod pod, string version, CancellationToken cancellationToken)
    {
        // Keyed by rollout and pod: the agent's journal answers a repeated ask (an operator restart) with the same result.
        var request = new ExecuteRequest { CommandUid = $"rollout-{rolloutUid}", TargetKey = pod.Metadata.Uid, Action = "agent.selftest", TimeoutSeconds = 30, Target = new Target { Node = true } };
        using var call = client.Execute(request, deadline: Deadline(45), cancellationToken: cancellationToken);
        var result = await call.ResponseStream.ResultAsync(cancellationToken);
        return result switch
        {
            null => GateResult.Pending("the agent ended agent.selftest without a result"),
            { Phase: ExecutionPhase.Succeeded } => GateResult.Passed($"reports version {version} and passed agent.selftest"),
            _ => GateResult.Failed($"agent.selftest failed: {result.Message}"),
        };
    }

    private DateTime Deadline(int seconds) => clock.GetUtcNow().UtcDateTime.AddSeconds(seconds);
}
