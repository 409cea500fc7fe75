namespace Ops.TestSupport;

/// <summary>
/// The script.run script the test clusters' real agents carry to count executions by their effect:
/// each run appends the agent's node name to a file, prints "ran on NODE", then sleeps. A target run
/// twice shows as two lines in the file, whatever the agent's or the operator's own records say.
/// </summary>
public static class MarkScript
{
    public const string Name = "mark";

    /// <summary>The agents' environment that configures the script.</summary>
    public static Dictionary<string, string> AgentSettings() => new()
    {
        [$"Agent__Scripts__{Name}__Path"] = "/bin/sh",
        [$"Agent__Scripts__{Name}__Arguments__0"] = "-c",
        [$"Agent__Scripts__{Name}__Arguments__1"] = "echo \"$Agent__NodeName\" >> \"$0\"; echo \"ran on $Agent__NodeName\"; sleep \"$1\"",
        [$"Agent__Scripts__{Name}__Arguments__2"] = "{file}",
        [$"Agent__Scripts__{Name}__Arguments__3"] = "{seconds}",
        [$"Agent__Scripts__{Name}__Parameters__file__Required"] = "true",
        [$"Agent__Scripts__{Name}__Parameters__file__Pattern"] = "^/tmp/[A-Za-z0-9._/-]+$",
        [$"Agent__Scripts__{Name}__Parameters__seconds__Type"] = "integer",
        [$"Agent__Scripts__{Name}__Parameters__seconds__Default"] = "0",
    };

    /// <summary>script.run's parameters for one run that marks <paramref name="file"/> and sleeps <paramref name="seconds"/>.</summary>
    public static Dictionary<string, string> Parameters(string file, int seconds) => new()
    {
        ["script"] = Name,
        ["file"] = file,
        ["seconds"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>A new file to mark, in a directory of its own under /tmp (created).</summary>
    public static string NewRunsFile()
    {
        var file = Path.Combine("/tmp", $"ops-e2e-{Guid.NewGuid():n}", "runs");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        return file;
    }

    /// <summary>The node names the runs wrote, one a run.</summary>
    public static async Task<string[]> RunsAsync(string file) => File.Exists(file) ? await File.ReadAllLinesAsync(file) : [];
}
