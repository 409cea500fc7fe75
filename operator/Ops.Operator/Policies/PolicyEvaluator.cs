using Ops.Agent.V1.Actions;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Policies;

/// <summary>
/// What the policies that apply to a namespace allow a command, as pure functions. Several policies combine as
/// the most restrictive: each rule is asked of every policy (in name order) and the first that refuses is named,
/// so a refusal always says which policy and which rule decided.
/// </summary>
public static class PolicyEvaluator
{
    /// <summary>The dump types in increasing size; a policy's maxDumpType allows those up to its own.</summary>
    public static readonly IReadOnlyList<string> DumpTypes = ["none", "mini", "heap", "full"];

    /// <summary>Why the command may not run as asked (its action, script, dump type, target kind), or null; checked before any target is listed.</summary>
    public static PolicyDenial? Refusal(V1Alpha1DiagnosticCommand command, IReadOnlyList<NamedPolicy> applying)
    {
        var ns = command.Metadata.NamespaceProperty ?? "";
        var spec = command.Spec;
        if (ActionCatalogue.Find(spec.Action) is not { } action) return null; // the catalogue's refusal comes first
        foreach (var policy in applying)
        {
            if (!AllowsAction(policy.Spec, action))
            {
                var granted = string.Join(", ", [.. policy.Spec.ActionGroupsOrDefault.Select(g => $"group {g}"), .. policy.Spec.Actions ?? []]);
                return new(policy.Name, PolicyDenial.Rules.Actions,
                    $"{policy.Describe(ns)} does not allow {action.Name} (group {action.Group}) in namespace {ns}: its actionGroups and actions allow {(granted.Length == 0 ? "nothing" : granted)}");
            }
        }
        if (action.Name == ActionCatalogue.ScriptRun.Definition.Name && spec.Parameters?.GetValueOrDefault(ActionCatalogue.ScriptRun.Script.Name) is { } script)
        {
            foreach (var policy in applying.Where(p => !(p.Spec.Scripts ?? []).Contains(script, StringComparer.Ordinal)))
            {
                return new(policy.Name, PolicyDenial.Rules.Scripts,
                    $"{policy.Describe(ns)} does not allow script \"{script}\" in namespace {ns}: its scripts are {(policy.Spec.Scripts is { Count: > 0 } s ? string.Join(", ", s) : "none")}");
            }
        }
        if (action.Name == ActionCatalogue.DotnetDump.Definition.Name)
        {
            var type = spec.Parameters?.GetValueOrDefault(ActionCatalogue.DotnetDump.Type.Name) ?? ActionCatalogue.DotnetDump.Type.Default!;
            foreach (var policy in applying.Where(p => Rank(type) > Rank(p.Spec.MaxDumpTypeOrDefault)))
            {
                return new(policy.Name, PolicyDenial.Rules.MaxDumpType,
                    $"{policy.Describe(ns)} allows dumps up to maxDumpType {policy.Spec.MaxDumpTypeOrDefault} in namespace {ns}; a {type} dump was asked for");
            }
        }
        if (spec.Target.Nodes is not null && applying.FirstOrDefault(p => p.Spec.NodeTargets != true) is { } forbidding)
        {
            return new(forbidding.Name, PolicyDenial.Rules.NodeTargets,
                $"{forbidding.Describe(ns)} does not allow node targets from namespace {ns} (nodeTargets is false): target the namespace's own pods");
        }
        return spec.Target.Nodes is null ? DestinationRefusal(ns, action, spec.Parameters, applying) : null;
    }

    /// <summary>
    /// A pod target's network check reaches the pod itself unless it names a destination; a destination named must be
    /// listed by every applying policy (networkCheckDestinations), as written: the agent checks the address it resolves again.
    /// </summary>
    private static PolicyDenial? DestinationRefusal(string ns, ActionDefinition action, Dictionary<string, string>? parameters, IReadOnlyList<NamedPolicy> applying)
    {
        string? host = null;
        if (action.Name == ActionCatalogue.CheckTcp.Definition.Name) host = parameters?.GetValueOrDefault(ActionCatalogue.CheckTcp.Host.Name);
        else if (action.Name == ActionCatalogue.CheckHttp.Definition.Name && parameters?.GetValueOrDefault(ActionCatalogue.CheckHttp.Url.Name) is { } url)
        {
            host = Uri.TryCreate(url, UriKind.Absolute, out var parsed) ? parsed.DnsSafeHost : url;
        }
        if (host is null) return null;
        var field = action.Name == ActionCatalogue.CheckTcp.Definition.Name ? "spec.parameters.host" : "spec.parameters.url";
        foreach (var policy in applying.Where(p => !NetworkAllowList.Lists(p.Spec.NetworkCheckDestinations ?? [], host)))
        {
            var listed = policy.Spec.NetworkCheckDestinations is { Count: > 0 } list ? $"lists only {string.Join(", ", list)}" : "lists none";
            return new(policy.Name, PolicyDenial.Rules.NetworkCheckDestinations,
                $"{action.Name} of a pod reaches only the pod unless the destination is allowed, and {policy.Describe(ns)} does not list {host} in networkCheckDestinations for namespace {ns} (it {listed}); leave out the host to check the target pod") { FieldOfNetworkRule = field };
        }
        return null;
    }

    /// <summary>Why <paramref name="count"/> targets are too many for one command, or null.</summary>
    public static PolicyDenial? TargetsRefusal(string ns, int count, IReadOnlyList<NamedPolicy> applying) =>
        applying.Where(p => count > p.Spec.MaxTargetsPerCommandOrDefault).OrderBy(p => p.Spec.MaxTargetsPerCommandOrDefault).FirstOrDefault() is { } policy
            ? new(policy.Name, PolicyDenial.Rules.MaxTargetsPerCommand,
                $"the command matches {count} targets and {policy.Describe(ns)} allows at most {policy.Spec.MaxTargetsPerCommandOrDefault} per command (maxTargetsPerCommand); narrow the selector or sample the targets")
            : null;

    /// <summary>Whether any applying policy limits the artifact bytes of a day, so that a start of <paramref name="action"/> must read the day's count.</summary>
    public static bool CountsArtifacts(string action, IReadOnlyList<NamedPolicy> applying) =>
        ActionCatalogue.Find(action) is { Heavy: true } && applying.Any(p => p.Spec.MaxArtifactBytesPerDay is not null);

    /// <summary>Why a heavy action may not start when the namespace's artifacts of the day (UTC) already weigh <paramref name="writtenToday"/> bytes, or null.</summary>
    public static PolicyDenial? ArtifactBytesRefusal(string ns, string action, long writtenToday, IReadOnlyList<NamedPolicy> applying) =>
        ActionCatalogue.Find(action) is { Heavy: true }
        && applying.Where(p => p.Spec.MaxArtifactBytesPerDay is { } limit && writtenToday >= limit).OrderBy(p => p.Spec.MaxArtifactBytesPerDay).FirstOrDefault() is { } policy
            ? new(policy.Name, PolicyDenial.Rules.MaxArtifactBytesPerDay,
                $"the commands of namespace {ns} have written {writtenToday} bytes of artifacts today (UTC) and {policy.Describe(ns)} allows {policy.Spec.MaxArtifactBytesPerDay} a day (maxArtifactBytesPerDay); {action} can start again after midnight UTC")
            : null;

    /// <summary>The most commands the namespace runs at once, and the policy that says so (the lowest limit).</summary>
    public static (int Limit, NamedPolicy Policy) ConcurrencyLimit(IReadOnlyList<NamedPolicy> applying)
    {
        var policy = applying.OrderBy(p => p.Spec.MaxConcurrentCommandsOrDefault).ThenBy(p => p.Name, StringComparer.Ordinal).First();
        return (policy.Spec.MaxConcurrentCommandsOrDefault, policy);
    }

    private static bool AllowsAction(V1Alpha1DiagnosticPolicy.PolicySpec spec, ActionDefinition action) =>
        spec.ActionGroupsOrDefault.Contains(action.Group, StringComparer.Ordinal) || (spec.Actions ?? []).Contains(action.Name, StringComparer.Ordinal);

    private static int Rank(string dumpType)
    {
        var rank = DumpTypes.ToList().IndexOf(dumpType);
        return rank < 0 ? int.MaxValue : rank;
    }
}
