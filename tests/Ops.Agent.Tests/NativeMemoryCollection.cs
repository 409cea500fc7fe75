namespace Ops.Agent.Tests;

/// <summary>
/// Tests that count the process's native heap run in this collection, alone, after the others: what
/// other tests allocate at the same time would blur the count.
/// </summary>
[CollectionDefinition(nameof(NativeMemoryCollection), DisableParallelization = true)]
public sealed class NativeMemoryCollection;
