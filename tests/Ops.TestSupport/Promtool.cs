using System.Diagnostics;
using Xunit;

namespace Ops.TestSupport;

/// <summary>
/// Prometheus's own checker, from Debian's prometheus package. Where it is missing the test is skipped
/// with the reason, except under CI=true, where that is a failure (.ci/run installs it).
/// </summary>
public static class Promtool
{
    public static string Require()
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(dir => Path.Combine(dir, "promtool")).FirstOrDefault(File.Exists);
        if (found is not null) return found;
        const string reason = "promtool is not installed on this machine (apt-get install prometheus, or .ci/run installs it)";
        if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail(reason + "; under CI=true this is a failure, not a skip");
        Assert.Skip(reason);
        return "";
    }

    /// <summary>Runs promtool with the arguments, feeding stdin; returns its exit code and what it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> arguments, string? stdin = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(Require()) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false };
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    /// <summary>`promtool check metrics` on a scrape; the exposition must pass with no complaint at all.</summary>
    public static async Task CheckMetricsAsync(string exposition)
    {
        var (code, output) = await RunAsync(["check", "metrics"], exposition);
        Assert.True(code == 0 && output.Trim().Length == 0, $"promtool check metrics: exit {code}: {output}");
    }
}
