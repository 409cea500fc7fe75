namespace Ops.EndToEnd.Tests;

/// <summary>
/// Tests that change the cluster for everyone (kill the operator, add a node without an agent) run in
/// this collection, alone, after the others.
/// </summary>
[CollectionDefinition(nameof(ClusterWideCollection), DisableParallelization = true)]
public sealed class ClusterWideCollection;
