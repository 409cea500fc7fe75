namespace Ops.EndToEnd.Tests;

/// <summary>
/// Tests that change the cluster for everyone (kill the operator, add a node without an agent), or that
/// count what the whole cluster does (metrics, the operator's API calls), run in this collection, alone,
/// after the others.
/// </summary>
[CollectionDefinition(nameof(ClusterWideCollection), DisableParallelization = true)]
public sealed class ClusterWideCollection;
