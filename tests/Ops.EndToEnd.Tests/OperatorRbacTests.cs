using Ops.Operator.Hosting;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests;

/// <summary>
/// The chart's RBAC for the operator is exactly what it uses: every API call the operator made while
/// the whole suite ran (this collection runs last) is allowed, and every permission was used here or,
/// for the rollout's few, by the rollout tests (two more belong to paths no test reaches, listed with where they are used).
/// </summary>
[Collection(nameof(ClusterWideCollection))]
public sealed class OperatorRbacTests(ClusterFixture cluster)
{
    [Fact]
    public void The_chart_grants_the_operator_exactly_the_api_calls_it_makes()
    {
        var calls = cluster.Cluster.Server.Accesses.Of(OperatorServiceCollectionExtensions.UserAgent);
        Assert.True(calls.Count > 10, $"only {calls.Count} kinds of call were recorded from the operator");

        var denied = OperatorRbac.Denied(calls);
        Assert.True(denied.Count == 0, $"calls the chart's RBAC does not allow: {string.Join("; ", denied)}");
        var unused = OperatorRbac.Grants()
            .Where(g => !calls.Any(c => c.Group == g.Group && c.Resource == g.Resource && c.Verb == g.Verb) && !OperatorRbac.RolloutOnly.Contains((g.Group, g.Resource, g.Verb)) && !OperatorRbac.UntestedPaths.Contains((g.Group, g.Resource, g.Verb)))
            .Select(g => $"{g.Verb} {g.Group}/{g.Resource}").ToList();
        Assert.True(unused.Count == 0, $"permissions the operator never used: {string.Join("; ", unused)}");
    }
}
