using System.Diagnostics;
using System.Globalization;

namespace Ops.Bench;

/// <summary>
/// The official dotnet-trace, installed into bench/.tools when missing, run as a user would run it. Its
/// 10.x profiles dotnet-common + dotnet-sampled-thread-time are what the agent's cpu-sampling profile enables.
/// </summary>
internal sealed class DotnetTraceTool(string executable)
{
    public static async Task<DotnetTraceTool> EnsureAsync()
    {
        var tools = Path.Combine(Ops.TestSupport.RepositoryPaths.Root, "bench", ".tools");
        var executable = Path.Combine(tools, "dotnet-trace");
        if (!File.Exists(executable))
        {
            Console.Error.WriteLine($"installing dotnet-trace into {tools} ...");
            using var install = Process.Start("dotnet", ["tool", "install", "dotnet-trace", "--tool-path", tools])!;
            await install.WaitForExitAsync();
            if (install.ExitCode != 0) throw new InvalidOperationException("dotnet tool install dotnet-trace failed");
        }
        return new DotnetTraceTool(executable);
    }

    public async Task<(double Seconds, long Bytes)> CollectAsync(int pid, TimeSpan duration)
    {
        var output = Path.Combine(Path.GetTempPath(), $"ops-bench-{Guid.NewGuid():n}.nettrace");
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in new[] { "collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "--profile", "dotnet-common,dotnet-sampled-thread-time", "--duration", duration.ToString(@"dd\:hh\:mm\:ss", CultureInfo.InvariantCulture), "-o", output })
        {
            start.ArgumentList.Add(arg);
        }
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var drain = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        await process.WaitForExitAsync();
        watch.Stop();
        await drain;
        if (process.ExitCode != 0 || !File.Exists(output)) throw new InvalidOperationException($"dotnet-trace exited {process.ExitCode}");
        var bytes = new FileInfo(output).Length;
        File.Delete(output);
        return (watch.Elapsed.TotalSeconds, bytes);
    }
}
