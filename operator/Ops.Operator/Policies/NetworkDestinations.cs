using Ops.Agent.V1.Actions;

namespace Ops.Operator.Policies;

/// <summary>
/// The destinations besides the target pod that a pod target's network checks may reach, as every applying policy
/// allows: a CIDR is kept when each policy has one that contains it, a host name when each lists it.
/// CIDRs nest or are disjoint, so keeping each policy's entries that all the others allow is their intersection.
/// </summary>
public static class NetworkDestinations
{
    public static IReadOnlyList<string> Combine(IReadOnlyList<NamedPolicy> applying)
    {
        var lists = applying.Select(p => p.Spec.NetworkCheckDestinations ?? []).ToList();
        if (lists.Count == 0) return [];
        return [.. lists.SelectMany(list => list).Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(entry => lists.All(list => list.Any(allowed => NetworkAllowList.Covers(allowed, entry))))
            .Order(StringComparer.Ordinal)];
    }
}
