using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// Resolves a command's targets. Pods come only from the command's own namespace; node targets only where the
/// namespace's DiagnosticPolicies allow (decided before, by <see cref="CommandStartGate"/>). Sampling is stable: targets are ordered by a hash of the
/// command uid and the target key, so the same command picks the same targets after a restart.
/// </summary>
public sealed class TargetResolver
{
    /// <summary>
    /// Why the spec's targets cannot be resolved whatever the cluster holds (target shape, node names, selectors),
    /// or null. Checked before anything is listed: a selector the API server refuses would fail every list (400).
    /// </summary>
    public TargetPlan? SpecProblem(V1Alpha1DiagnosticCommand command)
    {
        // A longer name fits no label value, and the result ConfigMaps carry it in ops.dev/command: the command would never finish.
        if (command.Metadata?.Name is { Length: > MaxNameLength } name)
        {
            return TargetPlan.Invalid("InvalidName", $"metadata.name: at most {MaxNameLength} characters, not {name.Length}: the command's result ConfigMaps carry it in the ops.dev/command label");
        }
        var target = command.Spec.Target;
        if ((target.Pods is null) == (target.Nodes is null))
        {
            return TargetPlan.Invalid("InvalidTarget", "set exactly one of spec.target.pods and spec.target.nodes");
        }
        if (target.Pods is { } podTarget)
        {
            if (podTarget.Names?.Select((name, i) => (name, i)).FirstOrDefault(n => !IsObjectName(n.name)) is { name: { } badPod } badAt)
            {
                return TargetPlan.Invalid("InvalidTarget", $"spec.target.pods.names[{badAt.i}]: \"{badPod}\" is not a pod name (a DNS-1123 subdomain)");
            }
            return LabelSelectors.Problem(podTarget.Selector) is { } problem ? TargetPlan.Invalid("InvalidSelector", $"spec.target.pods.selector: {problem}") : null;
        }
        if (target.Nodes!.Names?.Select((name, i) => (name, i)).FirstOrDefault(n => !IsObjectName(n.name)) is { name: { } badName } bad)
        {
            // The CRD refuses these at create; checked again because a name like ../node-1 would become another API path.
            return TargetPlan.Invalid("InvalidTarget", $"spec.target.nodes.names[{bad.i}]: \"{badName}\" is not a node name (a DNS-1123 subdomain)");
        }
        return LabelSelectors.Problem(target.Nodes.Selector) is { } nodeProblem ? TargetPlan.Invalid("InvalidSelector", $"spec.target.nodes.selector: {nodeProblem}") : null;
    }

    /// <summary>The longest command name: a label value's limit.</summary>
    public const int MaxNameLength = 63;

    /// <summary>A DNS-1123 subdomain: what node and pod names are.</summary>
    private static bool IsObjectName(string? name) =>
        name is { Length: > 0 and <= Patterns.DnsSubdomainMaxLength } && Regex.IsMatch(name, Patterns.DnsSubdomain, RegexOptions.CultureInvariant);

    /// <summary>The targets among these pods and nodes, or why there are none (the spec's own problems first).</summary>
    public TargetPlan Resolve(V1Alpha1DiagnosticCommand command, IEnumerable<V1Pod> pods, IEnumerable<V1Node> nodes)
    {
        if (SpecProblem(command) is { } invalid) return invalid;
        var spec = command.Spec;
        var ns = command.Metadata.NamespaceProperty ?? "";
        List<CommandTarget> matched;
        if (spec.Target.Pods is { } podTarget)
        {
            var podNames = podTarget.Names?.ToHashSet(StringComparer.Ordinal);
            matched = [.. pods
                .Where(p => p.Metadata.NamespaceProperty == ns && p.Metadata.DeletionTimestamp is null && LabelSelectors.Matches(podTarget.Selector, p.Metadata.Labels))
                .Where(p => podNames is null || podNames.Contains(p.Metadata.Name))
                .SelectMany(p => Containers(p, podTarget.Container))];
            if (matched.Count == 0)
            {
                var named = podNames is null ? "" : $" named {string.Join(", ", podNames.Order(StringComparer.Ordinal))}";
                return TargetPlan.Invalid("NoTargets", $"no running pod{named} in namespace {ns} matches the selector{(podTarget.Container is null ? "" : $" with a running container \"{podTarget.Container}\"")}");
            }
        }
        else
        {
            var nodeTarget = spec.Target.Nodes!;
            var names = nodeTarget.Names?.ToHashSet(StringComparer.Ordinal);
            var allNodes = nodes.ToList();
            if (names is not null && names.Except(allNodes.Select(n => n.Metadata.Name)).ToList() is { Count: > 0 } unknown)
            {
                return TargetPlan.Invalid("NoTargets", $"unknown nodes: {string.Join(", ", unknown.Order(StringComparer.Ordinal))}");
            }
            matched = [.. allNodes
                .Where(n => names is null || names.Contains(n.Metadata.Name))
                .Where(n => nodeTarget.Selector is null || LabelSelectors.Matches(nodeTarget.Selector, n.Metadata.Labels))
                .Select(n => CommandTarget.ForNode(n.Metadata.Name))];
            if (matched.Count == 0) return TargetPlan.Invalid("NoTargets", "no node matches spec.target.nodes");
        }
        return Sample(command, matched);
    }

    private static IEnumerable<CommandTarget> Containers(V1Pod pod, string? container)
    {
        if (pod.Status?.Phase != "Running" || string.IsNullOrEmpty(pod.Spec?.NodeName)) yield break;
        foreach (var status in pod.Status.ContainerStatuses ?? [])
        {
            if (container is not null && status.Name != container) continue;
            if (string.IsNullOrEmpty(status.ContainerID) || status.State?.Running is null) continue;
            yield return new CommandTarget(TargetKeys.ForPod(pod.Metadata.NamespaceProperty, pod.Metadata.Name, status.Name), pod.Spec.NodeName,
                pod.Metadata.NamespaceProperty, pod.Metadata.Name, pod.Metadata.Uid, status.Name, status.ContainerID, pod.Status.PodIP);
        }
    }

    private static TargetPlan Sample(V1Alpha1DiagnosticCommand command, List<CommandTarget> matched)
    {
        var sample = command.Spec.Target.Sample;
        var count = (sample?.Mode ?? V1Alpha1DiagnosticCommand.SampleSpec.DefaultMode) switch
        {
            "one" => 1,
            "fixed" when sample?.Value is > 0 and var n => Math.Min(n, matched.Count),
            "percent" when sample?.Value is > 0 and <= 100 and var p => Math.Max(1, (int)Math.Ceiling(matched.Count * p / 100.0)),
            "fixed" or "percent" => -1,
            _ => matched.Count,
        };
        if (count < 0) return TargetPlan.Invalid("InvalidSample", $"spec.target.sample.value must be {(sample!.Mode == "fixed" ? "at least 1" : "from 1 to 100")} for mode {sample.Mode}");
        var uid = command.Metadata.Uid ?? "";
        var chosen = matched.OrderBy(t => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{uid}/{t.Key}"))), StringComparer.Ordinal).Take(count).ToList();
        return new TargetPlan(chosen, matched.Count);
    }
}
