using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Ops.Bench;

/// <summary>
/// A CPU profile of a process with Linux perf (<c>perf record -g</c>), while it runs: where its on-CPU time goes,
/// by shared object (TLS in libssl/libcrypto, the runtime and GC in libcoreclr, JIT-compiled code) and by method.
/// The process must run with <see cref="Environment"/> so perf can name JIT-compiled methods. (dotnet-trace's
/// sampled thread time was tried first: it counts waiting threads too, and attaching it during a fan-out stalled the operator.)
/// </summary>
internal sealed class PerfProfile
{
    private readonly Process _record;
    private readonly string _data;
    private readonly Task _drain;

    private PerfProfile(Process record, string data)
    {
        _record = record;
        _data = data;
        _drain = Task.WhenAll(record.StandardOutput.ReadToEndAsync(), record.StandardError.ReadToEndAsync());
    }

    /// <summary>
    /// The environment a profiled .NET process needs: a map of its JIT-compiled methods for perf, and no W^X double mapping
    /// (with it perf sees JIT-compiled code only as an anonymous "memfd:doublemapper" and cannot name it).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>
    {
        ["DOTNET_PerfMapEnabled"] = "1",
        ["DOTNET_EnableWriteXorExecute"] = "0",
    };

    public static async Task<PerfProfile> StartAsync(int pid, string data)
    {
        var start = new ProcessStartInfo("perf") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "record", "-F", "999", "-g", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", data }) start.ArgumentList.Add(arg);
        var profile = new PerfProfile(Process.Start(start) ?? throw new InvalidOperationException("perf is missing: apt-get install linux-perf"), data);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        return profile;
    }

    /// <summary>Stops recording and writes <c>NAME.txt</c> beside the data: the share of samples by shared object, by method (exclusive) and by caller chain (inclusive).</summary>
    public async Task<string> StopAsync()
    {
        if (Signal(_record.Id, 2) != 0) throw new InvalidOperationException("could not stop perf record");
        await _record.WaitForExitAsync();
        await _drain;
        _record.Dispose();
        var report = Path.ChangeExtension(_data, ".txt");
        var text = new StringBuilder();
        foreach (var (title, args) in new[]
        {
            ("by shared object", new[] { "--no-children", "--sort", "dso", "-g", "none", "--percent-limit", "0.5" }),
            ("by method, exclusive", ["--no-children", "--sort", "dso,sym", "-g", "none", "--percent-limit", "0.4"]),
            ("by method, inclusive", ["--children", "--sort", "sym", "-g", "none", "--percent-limit", "3"]),
        })
        {
            var start = new ProcessStartInfo("perf") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "report", "-i", _data, "--stdio", "--no-header" }.Concat(args)) start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync();
            text.AppendLine($"## {title}").AppendLine(await process.StandardOutput.ReadToEndAsync());
            await process.WaitForExitAsync();
            await errors;
        }
        await File.WriteAllTextAsync(report, text.ToString());
        return report;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Signal(int pid, int signal);
}
