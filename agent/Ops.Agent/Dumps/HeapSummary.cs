namespace Ops.Agent.Dumps;

/// <summary>The GC heap: bytes by generation (LOH and POH apart), free space, and the top types.</summary>
public sealed record HeapSummary(long TotalBytes, long Gen0Bytes, long Gen1Bytes, long Gen2Bytes, long LargeObjectBytes, long PinnedObjectBytes, long FreeBytes,
    double FragmentationPercent, long Objects, int FinalizerQueue, IReadOnlyList<TypeSize> TopBySize, IReadOnlyList<TypeSize> TopByCount);
