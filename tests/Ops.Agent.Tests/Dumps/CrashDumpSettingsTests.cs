using Ops.Agent.Dumps;

namespace Ops.Agent.Tests.Dumps;

/// <summary>Where a process's runtime writes its crash dump, read from the variables it was started with.</summary>
public sealed class CrashDumpSettingsTests
{
    [Fact]
    public void A_process_without_the_variables_writes_no_crash_dump_it_is_known_for()
    {
        Assert.Null(CrashDumpSettings.From(new Dictionary<string, string> { ["PATH"] = "/usr/bin" }));
    }

    [Fact]
    public void The_name_template_gives_the_directory_and_the_file_names_it_makes()
    {
        var settings = CrashDumpSettings.From(new Dictionary<string, string>
        {
            ["DOTNET_DbgEnableMiniDump"] = "1", ["DOTNET_DbgMiniDumpType"] = "2", ["DOTNET_DbgMiniDumpName"] = "/crashdumps/%e.%p.%t.dmp",
        })!;

        Assert.True(settings.Enabled);
        Assert.Equal("heap", settings.Type);
        Assert.Equal("/crashdumps", settings.Directory);
        Assert.True(settings.Matches("Ops.SampleApp.1.1796093777.dmp"));
        Assert.True(settings.Matches("dotnet.4711.1796093777.dmp"));
        Assert.False(settings.Matches("dotnet.4711.dmp"));
        Assert.False(settings.Matches("app.log"));
        Assert.False(settings.Matches("dotnet.x.1796093777.dmp"));
    }

    [Fact]
    public void The_runtime_default_and_the_legacy_spelling_are_read_as_the_runtime_reads_them()
    {
        var settings = CrashDumpSettings.From(new Dictionary<string, string> { ["COMPlus_DbgEnableMiniDump"] = "1" })!;

        Assert.True(settings.Enabled);
        Assert.Equal("mini", settings.Type);
        Assert.Equal("/tmp", settings.Directory);
        Assert.True(settings.Matches("coredump.17"));
        Assert.False(settings.Matches("coredump.17.old"));
    }

    [Fact]
    public void A_template_with_a_pattern_in_its_directory_or_no_directory_names_none()
    {
        Assert.Null(CrashDumpSettings.From(new Dictionary<string, string> { ["DOTNET_DbgMiniDumpName"] = "/dumps/%e/core.%p" })!.Directory);
        Assert.Null(CrashDumpSettings.From(new Dictionary<string, string> { ["DOTNET_DbgMiniDumpName"] = "core.%p" })!.Directory);
        Assert.False(CrashDumpSettings.From(new Dictionary<string, string> { ["DOTNET_DbgMiniDumpName"] = "/d/core.%p" })!.Enabled);
    }

    [Fact]
    public void A_percent_sign_and_dots_in_the_template_are_matched_literally()
    {
        var settings = CrashDumpSettings.From(new Dictionary<string, string> { ["DOTNET_DbgMiniDumpName"] = "/d/core%%.%h.%p" })!;

        Assert.True(settings.Matches("core%.node-1.42"));
        Assert.False(settings.Matches("corex.node-1.42"));
    }
}
