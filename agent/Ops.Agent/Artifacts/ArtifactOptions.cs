using System.ComponentModel.DataAnnotations;

namespace Ops.Agent.Artifacts;

/// <summary>Where artifacts (traces, heap snapshots, dumps) may use the node's disk, and for how long (Agent:Artifacts).</summary>
public sealed class ArtifactOptions
{
    /// <summary>Bytes all artifacts together may take; a capture that would pass it fails with the reason.</summary>
    [Range(1024 * 1024, long.MaxValue)] public long BudgetBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Artifacts older than this are deleted.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Heavy captures (trace, gcdump, dump) running at once on this node; the others wait.</summary>
    [Range(1, 64)] public int HeavyActionConcurrency { get; set; } = 1;
}
