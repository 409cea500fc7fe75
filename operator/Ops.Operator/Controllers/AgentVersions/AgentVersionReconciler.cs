using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Controllers;
using Ops.ControllerRuntime.Hosting;
using Ops.ControllerRuntime.Informers;
using Ops.Operator.Agents;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Hosting;

namespace Ops.Operator.Controllers.AgentVersions;

/// <summary>
/// Rolls the agent DaemonSet to an AgentVersion. The operator owns the template's agent image and
/// version label and keeps the DaemonSet on OnDelete, so no agent is replaced unless this reconciler
/// deletes its pod: node by node, canary nodes first, each step's count at a time, never more agents
/// unavailable than maxUnavailable. An updated node counts once its agent has been Ready for
/// minReadySeconds, reports the new version over gRPC and passes agent.selftest; more failed nodes than
/// maxFailedNodes fail the rollout, which with autoRollback restores the previous image and replaces the
/// updated pods. Level-triggered: the step in progress is read from the status, the nodes from the API in
/// pages, the agent pods from the operator's informer (listing them too cost a list of 5,000 pods at each
/// agent change at 5,000 nodes), with the pods it deleted and the cache has not yet seen go taken as gone.
/// </summary>
public sealed class AgentVersionReconciler(
    CustomResourceClient<V1Alpha1AgentVersion> versions,
    ResourceInformer<V1Alpha1AgentVersion> informer,
    ResourceInformer<V1Pod> podCache,
    AgentPodDeletions deletions,
    IKubernetes client,
    FleetAssessor assessor,
    RolloutMetrics metrics,
    EventRecorder events,
    IOptions<OperatorOptions> options,
    TimeProvider clock,
    ILogger<AgentVersionReconciler> logger) : IReconciler<V1Alpha1AgentVersion>, IControllerSetup<V1Alpha1AgentVersion>
{
    /// <summary>
    /// What wakes a rollout besides its own spec: an approval annotation; any agent pod's change (a rollout
    /// moves with its agents); and the deletion of an AgentVersion (the one before it owns the fleet again).
    /// One worker: rollouts of one fleet are decided one at a time.
    /// </summary>
    public static void Setup(ControllerBuilder<V1Alpha1AgentVersion> controller) => controller
        .Workers(1)
        .WakesOnAnnotation(RolloutConditions.ApprovedStepAnnotation)
        .Watches<V1Pod>((_, versions) => versions.Select(NamespacedName.Of))
        .Watches<V1Alpha1AgentVersion>((change, versions) => change.Type == WatchEventType.Deleted ? versions.Select(NamespacedName.Of) : []);

    /// <summary>
    /// Pod deletions sent at once: a step of hundreds of nodes deleted one call after another took longer than
    /// its agents took to come back (the 5,000-node rollout bench had at most 1 to 21 agents down at a time of the
    /// 500 allowed, and took 190 s; 150 s with eight at once).
    /// </summary>
    private const int ConcurrentDeletions = 8;

    public async Task<ReconcileResult> ReconcileAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        if (await versions.GetAsync(key, cancellationToken) is not { } av || av.Metadata.DeletionTimestamp is not null) return ReconcileResult.Done;
        try
        {
            return await RollAsync(av, cancellationToken);
        }
        catch (Exception e) when (ApiErrors.IsForbidden(e))
        {
            // The operator's own RBAC refused a call the rollout needs: the rollout says so and waits for the grant.
            var message = $"the operator's service account may not make a call the rollout needs ({ApiErrors.MessageOf(e)}); grant it in the operator's Role (charts/ops/templates/rbac.yaml)";
            var known = Conditions.Find(av.Status?.Conditions, RolloutConditions.Progressing)?.Message == message;
            await WriteAsync(av, s => Conditions.Set(s.Conditions!, RolloutConditions.Progressing, false, "PermissionDenied", message, av.Metadata.Generation, clock.GetUtcNow()),
                known ? [] : [new RolloutEvent(EventRecorder.Warning, "PermissionDenied", message)], cancellationToken);
            return ReconcileResult.After(TimeSpan.FromSeconds(10));
        }
    }

    private async Task<ReconcileResult> RollAsync(V1Alpha1AgentVersion av, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();

        if (NewestOf(av) is { } newer && newer.Metadata.Name != av.Metadata.Name)
        {
            await WriteAsync(av, s => Conditions.Set(s.Conditions!, RolloutConditions.Active, false, "Superseded",
                $"AgentVersion {newer.Metadata.Name} is newer and owns the agent fleet; this one is not acted on", av.Metadata.Generation, now), [], cancellationToken);
            return ReconcileResult.Done;
        }

        var ns = options.Value.Namespace;
        var dsName = options.Value.AgentDaemonSet;
        var daemonSet = await ReadDaemonSetAsync(ns, dsName, cancellationToken);
        if (daemonSet is null)
        {
            await WriteAsync(av, s =>
            {
                RolloutConditions.SetActive(s.Conditions!, av.Metadata.Generation, now);
                Conditions.Set(s.Conditions!, RolloutConditions.Progressing, false, "DaemonSetNotFound",
                    $"the agent DaemonSet {ns}/{dsName} does not exist: install the agent (the Helm chart) first", av.Metadata.Generation, now);
            }, [], cancellationToken);
            return ReconcileResult.After(TimeSpan.FromSeconds(30));
        }

        var target = new AgentTemplate(av.Spec.Version, av.Spec.Image);
        var (state, started) = RolloutMachine.Begin(RolloutState.From(av.Status), target, AgentTemplate.Of(daemonSet.Spec.Template), now);
        var templateNow = RolloutMachine.TemplateFor(state, target);
        if (state.Phase != RolloutPhase.Failed && templateNow.ApplyTo(daemonSet))
        {
            if (!await ReplaceDaemonSetAsync(daemonSet, cancellationToken)) return ReconcileResult.After(TimeSpan.FromSeconds(1));
            RolloutLog.TemplateWritten(logger, ns, dsName, templateNow.Image);
        }

        var pods = podCache.Items;
        assessor.Forget(pods.Select(p => p.Metadata.Uid).ToHashSet(StringComparer.Ordinal));
        var nodes = await ListPages.AllAsync<V1Node>(async next =>
        {
            var page = await client.CoreV1.ListNodeAsync(continueParameter: next, limit: ListPages.Size, cancellationToken: cancellationToken);
            return (page.Items, page.Metadata.ContinueProperty);
        });
        var fleet = Fleet.Of(daemonSet, nodes, pods.Where(p => !deletions.IsPending(p.Metadata.Uid)), templateNow, av.Spec.Strategy?.Canary?.NodeSelector);
        var health = await assessor.AssessAsync(av, fleet, templateNow, RolloutMachine.IsRollingBack(state), now, cancellationToken);
        var decision = RolloutMachine.Decide(new RolloutInput(av.Metadata.Name, av.Metadata.Generation, av.Spec,
            RolloutConditions.ApprovedStep(av.Metadata.Annotations), state, fleet, health, now));

        var events = new List<RolloutEvent>(decision.Events);
        if (started is not null) events.Insert(0, started);
        var deleted = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(decision.Replace, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentDeletions, CancellationToken = cancellationToken }, async (node, token) =>
        {
            if (await DeletePodAsync(node.Pod!, token)) deleted[node.Name] = true;
        });
        var replaced = decision.Replace.Select(n => n.Name).Where(deleted.ContainsKey).ToList();
        if (replaced.Count > 0) events.Add(RolloutMachine.Replacing(replaced));
        await WriteAsync(av, s => decision.State.WriteTo(s, decision.TotalSteps, fleet, health, av.Metadata.Generation, now), events, cancellationToken);
        metrics.Record(av.Metadata.Name, decision.State.CurrentStep, decision.State.Phase);
        return decision.Wake is { } after ? ReconcileResult.After(after) : ReconcileResult.Done;
    }

    private V1Alpha1AgentVersion? NewestOf(V1Alpha1AgentVersion av) =>
        informer.Items.Where(v => v.Metadata.DeletionTimestamp is null && v.Metadata.Name != av.Metadata.Name).Append(av)
            .OrderByDescending(v => v.Metadata.CreationTimestamp).ThenByDescending(v => v.Metadata.Name, StringComparer.Ordinal).First();

    private async Task<V1DaemonSet?> ReadDaemonSetAsync(string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.AppsV1.ReadNamespacedDaemonSetAsync(name, ns, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Writes the template; false on a conflict (someone else changed the DaemonSet: look again).</summary>
    private async Task<bool> ReplaceDaemonSetAsync(V1DaemonSet daemonSet, CancellationToken cancellationToken)
    {
        try
        {
            await client.AppsV1.ReplaceNamespacedDaemonSetAsync(daemonSet, daemonSet.Metadata.Name, daemonSet.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    private async Task<bool> DeletePodAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        deletions.Expect(pod.Metadata.Uid);
        try
        {
            await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken: cancellationToken);
            RolloutLog.AgentPodDeleted(logger, pod.Metadata.Name, pod.Spec.NodeName);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Gone already (or its name now belongs to another pod): the cache will see it go.
            return false;
        }
        catch
        {
            deletions.Cancel(pod.Metadata.Uid);
            throw;
        }
    }

    private async Task WriteAsync(V1Alpha1AgentVersion av, Action<V1Alpha1AgentVersion.VersionStatus> change, IReadOnlyList<RolloutEvent> pending, CancellationToken cancellationToken)
    {
        var (written, _) = await versions.ChangeStatusAsync(av, change, cancellationToken);
        // Events follow the status that records the transition, so a conflict that repeats the reconcile does not repeat them.
        if (written is null) return;
        foreach (var e in pending) await events.RecordAsync(written, e.Type, e.Reason, e.Message, cancellationToken);
    }
}
