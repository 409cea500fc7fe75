namespace Ops.Agent.Dumps;

/// <summary>
/// The crash dumps in a directory of a container, newest first: regular files (no links, which could lead out of the
/// container; nothing without a length) that the process's dump name template makes, when it is known, and that begin as an ELF core does. A file
/// changed in the last seconds may still be being written by createdump (another process of the container crashing
/// now) and is left for a later look.
/// </summary>
public static class CrashDumpDirectory
{
    /// <summary>How recently a dump may have changed and still be taken as whole.</summary>
    public static readonly TimeSpan Settling = TimeSpan.FromSeconds(2);

    /// <summary>At most this many dumps are kept by one command; older ones are only counted.</summary>
    public const int MaxDumps = 10;

    /// <summary>
    /// Smaller than any dump. A FIFO, socket or device has no length, and opening a FIFO would block the agent: the
    /// length is checked before a file is opened.
    /// </summary>
    public const long MinDumpBytes = 4096;

    public sealed record Listing(IReadOnlyList<FileInfo> Dumps, int Older, int BeingWritten);

    public static Listing List(string hostDirectory, CrashDumpSettings? settings, DateTime nowUtc)
    {
        var candidates = new DirectoryInfo(hostDirectory).EnumerateFiles()
            .Where(f => f.LinkTarget is null && f.Length >= MinDumpBytes && (settings is null || settings.Matches(f.Name)) && IsCore(f))
            .OrderByDescending(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        var writing = candidates.Count(f => f.LastWriteTimeUtc > nowUtc - Settling);
        var settled = candidates.Where(f => f.LastWriteTimeUtc <= nowUtc - Settling).ToList();
        return new([.. settled.Take(MaxDumps)], Math.Max(0, settled.Count - MaxDumps), writing);
    }

    /// <summary>An ELF file (createdump writes ELF cores on Linux); anything else in the directory is not a dump.</summary>
    private static bool IsCore(FileInfo file)
    {
        try
        {
            using var stream = Processes.RegularFiles.OpenRead(file.FullName);
            if (stream is null) return false;
            Span<byte> magic = stackalloc byte[4];
            return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("\u007fELF"u8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
