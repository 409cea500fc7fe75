using System.Diagnostics;
using Xunit;

namespace Ops.TestSupport;

/// <summary>
/// Runs the real kubectl found on the machine. Where it is missing the test is skipped with the
/// reason, except under CI=true, where a missing kubectl fails the test.
/// </summary>
public sealed class Kubectl(string kubeconfigPath)
{
    public static string? FindExecutable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(dir => Path.Combine(dir, "kubectl"))
            .FirstOrDefault(File.Exists);

    public static void RequireInstalled()
    {
        if (FindExecutable() is not null) return;
        const string reason = "kubectl is not installed on this machine (apt-get install kubectl, or .ci/run installs it)";
        if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail(reason + "; under CI=true this is a failure, not a skip");
        Assert.Skip(reason);
    }

    /// <summary>
    /// Runs kubectl with the space-separated arguments, each passed verbatim (no shell, no quote
    /// processing), so JSON patches need no escaping.
    /// </summary>
    /// <summary>kubectl with these arguments against a kubeconfig, its output redirected.</summary>
    public static ProcessStartInfo StartInfo(string kubeconfigPath, IEnumerable<string> arguments)
    {
        RequireInstalled();
        var start = new ProcessStartInfo(FindExecutable()!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["KUBECONFIG"] = kubeconfigPath;
        start.Environment["NO_COLOR"] = "1";
        return start;
    }

    public async Task<KubectlResult> RunAsync(string arguments, string? stdin = null)
    {
        return await RunAsync(StartInfo(kubeconfigPath, arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)), Timeouts.Kubectl, stdin);
    }

    /// <summary>Runs a prepared kubectl (or kubectl ops, or script) to its end: its exit code and output; killed, and said, past the timeout.</summary>
    public static async Task<KubectlResult> RunAsync(ProcessStartInfo start, TimeSpan timeout, string? stdin = null)
    {
        start.RedirectStandardInput = stdin is not null;
        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish in {timeout}: {await stdout} {await stderr}");
        }
        return new KubectlResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs and requires success, returning standard output.</summary>
    public async Task<string> OkAsync(string arguments, string? stdin = null)
    {
        var result = await RunAsync(arguments, stdin);
        Assert.True(result.ExitCode == 0, $"kubectl {arguments} exited {result.ExitCode}\nstdout: {result.Stdout}\nstderr: {result.Stderr}");
        return result.Stdout;
    }
}
