using System.Globalization;

namespace Ops.Bench;

/// <summary>A process's memory and CPU, read from /proc (Linux).</summary>
internal static class ProcessStats
{
    public static long ResidentBytes(int pid) => StatusKib(pid, "VmRSS:") * 1024;

    /// <summary>
    /// Resident memory by kind: anonymous (heaps), file-backed (mapped assemblies and libraries: clean pages the kernel
    /// may drop and read again) and shared memory (the runtime's JIT-compiled code, mapped twice for W^X).
    /// </summary>
    public static (long Anonymous, long File, long Shared) ResidentBreakdown(int pid) =>
        (StatusKib(pid, "RssAnon:") * 1024, StatusKib(pid, "RssFile:") * 1024, StatusKib(pid, "RssShmem:") * 1024);

    /// <summary>The most resident memory since the start, or since <see cref="ResetPeak"/>.</summary>
    public static long PeakResidentBytes(int pid) => StatusKib(pid, "VmHWM:") * 1024;

    /// <summary>Makes the peak start again from the current resident memory (writing 5 to clear_refs; needs root or the same user).</summary>
    public static void ResetPeak(int pid) => File.WriteAllText($"/proc/{pid}/clear_refs", "5");

    /// <summary>User plus system CPU time so far.</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static long StatusKib(int pid, string field) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith(field, StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).Single();

    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];
    }
}
