using System.Text;
using System.Text.RegularExpressions;

namespace Ops.Agent.Dumps;

/// <summary>
/// Where a .NET process's runtime writes a dump when the process crashes, from the variables it was started with:
/// DOTNET_DbgEnableMiniDump=1 turns it on, DOTNET_DbgMiniDumpName names the file (createdump's %p pid, %e executable,
/// %h host, %t seconds since the epoch, %% a percent sign; /tmp/coredump.%p when not set), DOTNET_DbgMiniDumpType
/// says how much it holds. The COMPlus_ spellings are read too, as the runtime does.
/// </summary>
public sealed record CrashDumpSettings(bool Enabled, string Template, string Type)
{
    /// <summary>The file the runtime writes when no name is given.</summary>
    public const string DefaultTemplate = "/tmp/coredump.%p";

    /// <summary>The variable a workload sets to name its crash dumps.</summary>
    public const string NameVariable = "DOTNET_DbgMiniDumpName";

    public static CrashDumpSettings? From(IReadOnlyDictionary<string, string> environment)
    {
        string? Read(string name) => environment.TryGetValue($"DOTNET_{name}", out var value) || environment.TryGetValue($"COMPlus_{name}", out value) ? value : null;
        var enabled = Read("DbgEnableMiniDump");
        var template = Read("DbgMiniDumpName");
        if (enabled is null && template is null) return null;
        var type = Read("DbgMiniDumpType") switch
        {
            "1" => "mini",
            "2" => "heap",
            "3" => "triage",
            "4" => "full",
            _ => "mini",
        };
        return new(enabled == "1", template is { Length: > 0 } ? template : DefaultTemplate, type);
    }

    /// <summary>The directory the dumps go to, as the process sees it; null when it holds a pattern (it cannot be listed).</summary>
    public string? Directory
    {
        get
        {
            var slash = Template.LastIndexOf('/');
            if (slash < 0) return null; // relative to a working directory the crash had
            var directory = slash == 0 ? "/" : Template[..slash];
            return directory.Contains('%', StringComparison.Ordinal) ? null : directory;
        }
    }

    /// <summary>Whether a file name in <see cref="Directory"/> is one the template makes.</summary>
    public bool Matches(string fileName) => FilePattern().IsMatch(fileName);

    private Regex FilePattern()
    {
        var file = Template[(Template.LastIndexOf('/') + 1)..];
        var pattern = new StringBuilder("^");
        for (var i = 0; i < file.Length; i++)
        {
            if (file[i] != '%' || i + 1 == file.Length)
            {
                pattern.Append(Regex.Escape(file[i].ToString()));
                continue;
            }
            pattern.Append(file[++i] switch
            {
                'p' or 'd' or 't' => "[0-9]+",
                '%' => "%",
                _ => ".+?", // %e, %h, and what a later runtime adds
            });
        }
        return new Regex(pattern.Append('$').ToString(), RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
    }
}
