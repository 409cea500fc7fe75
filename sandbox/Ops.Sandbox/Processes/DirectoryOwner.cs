using System.Globalization;

namespace Ops.Sandbox.Processes;

/// <summary>
/// Who a sandbox directory under /tmp belongs to: a file naming the process (pid and start time, so a reused pid is not
/// mistaken for it). A directory whose owner is gone is a leftover the next sandbox cleans up.
/// </summary>
internal static class DirectoryOwner
{
    private const string FileName = "owner";

    /// <summary>Marks this process as the directory's owner.</summary>
    public static void Claim(string directory) =>
        File.WriteAllText(Path.Combine(directory, FileName), $"{Environment.ProcessId} {ProcFs.StartTime(Environment.ProcessId)}");

    /// <summary>Whether the directory's owner still runs (or the directory is being created this very moment).</summary>
    public static bool IsAlive(string directory)
    {
        var owner = Path.Combine(directory, FileName);
        if (!File.Exists(owner))
        {
            // Being created this very moment, or left by a version without owner files.
            return Directory.GetLastWriteTimeUtc(directory) > DateTime.UtcNow.AddMinutes(-1);
        }
        var parts = File.ReadAllText(owner).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var pid)
            && ProcFs.StartTime(pid)?.ToString(CultureInfo.InvariantCulture) == parts[1];
    }
}
