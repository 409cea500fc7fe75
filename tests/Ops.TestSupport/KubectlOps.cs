using System.Diagnostics;

namespace Ops.TestSupport;

/// <summary>
/// The kubectl plugin as a user runs it: the real kubectl with the plugin's build output on PATH, so that kubectl finds
/// kubectl-ops and runs `kubectl ops ...`; output piped (no terminal), or through script(1) in a pseudo-terminal.
/// </summary>
public sealed class KubectlOps(string kubeconfigPath)
{
    /// <summary>The plugin's build output, of the same configuration as these tests.</summary>
    public static string PluginDirectory { get; } = Path.Combine(RepositoryPaths.Root, "plugin", "Ops.KubectlPlugin", "bin",
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name, "net10.0");

    public Task<KubectlResult> RunAsync(params string[] arguments) => RunAsync(arguments, null);

    /// <summary>kubectl ops ARGS; <paramref name="environment"/> adds or overrides variables (KUBECONFIG among them).</summary>
    public async Task<KubectlResult> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, TimeSpan? timeout = null)
    {
        var start = Kubectl.StartInfo(kubeconfigPath, ["ops", .. arguments]);
        Prepare(start, environment);
        return await Kubectl.RunAsync(start, timeout ?? Timeouts.SlowCommand);
    }

    /// <summary>kubectl ops ARGS in a pseudo-terminal (script -qec), as a person at a terminal sees it: what script recorded.</summary>
    public Task<KubectlResult> RunInTerminalAsync(params string[] arguments) => RunInTerminalAsync(arguments, null);

    /// <summary>As <see cref="RunInTerminalAsync(string[])"/>, with variables added (NO_COLOR, say).</summary>
    public async Task<KubectlResult> RunInTerminalAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var line = string.Join(' ', new[] { Kubectl.FindExecutable()!, "ops" }.Concat(arguments).Select(a => $"'{a.Replace("'", "'\\''", StringComparison.Ordinal)}'"));
        var start = new ProcessStartInfo("script") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-qec", line, "/dev/null" }) start.ArgumentList.Add(argument);
        start.Environment["KUBECONFIG"] = kubeconfigPath;
        start.Environment["TERM"] = "xterm-256color";
        start.Environment["COLUMNS"] = "160";
        start.Environment.Remove("NO_COLOR");
        Prepare(start, environment);
        return await Kubectl.RunAsync(start, Timeouts.SlowCommand);
    }

    private static void Prepare(ProcessStartInfo start, IReadOnlyDictionary<string, string>? environment)
    {
        start.Environment["PATH"] = $"{PluginDirectory}:{Environment.GetEnvironmentVariable("PATH")}";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
    }
}
