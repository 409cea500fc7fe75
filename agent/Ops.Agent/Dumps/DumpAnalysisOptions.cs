using System.ComponentModel.DataAnnotations;

namespace Ops.Agent.Dumps;

/// <summary>How dumps are analysed on the node (Agent:DumpAnalysis): in a process of its own, within these bounds.</summary>
public sealed class DumpAnalysisOptions
{
    /// <summary>
    /// Anonymous memory the analysing process may use; past it, it is stopped and the analysis fails with the reason. It runs
    /// in the agent's container: the agent (about 130 MiB after captures) and this must fit the container's limit (the chart's 512Mi).
    /// </summary>
    [Range(8L * 1024 * 1024, long.MaxValue)] public long MemoryLimitBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>How long an analysis may take.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")] public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Dumps larger than this are analysed only when asked explicitly (dotnet.analyze with force).</summary>
    [Range(1024L * 1024, long.MaxValue)] public long MaxDumpBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Types listed by size and by count.</summary>
    [Range(1, 100)] public int TopTypes { get; set; } = 15;

    /// <summary>Frames listed per thread.</summary>
    [Range(1, 200)] public int TopFrames { get; set; } = 12;
}
