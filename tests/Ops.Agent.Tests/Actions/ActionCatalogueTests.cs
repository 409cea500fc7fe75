using Ops.Agent.V1.Actions;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Actions;

/// <summary>
/// The shared catalogue is the one truth of names and parameters: the agent runs exactly its actions, and a
/// definition's checks say what is wrong with each parameter, by name, as the operator reports it.
/// </summary>
public sealed class ActionCatalogueTests : IAsyncDisposable
{
    private readonly AgentHarness _harness = new();

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task The_agent_runs_exactly_the_catalogue_and_reads_only_declared_parameters()
    {
        var agent = await _harness.StartAgentAsync();
        Assert.Equal(ActionCatalogue.All.Select(a => a.Name).Order(StringComparer.Ordinal), agent.Actions.Names);
        Assert.Equal(ActionCatalogue.All.Count, ActionCatalogue.All.Select(a => a.Name).Distinct().Count());
        Assert.All(ActionCatalogue.All, a => Assert.Equal(a.Parameters.Count, a.ParameterNames.Distinct().Count()));
    }

    [Fact]
    public void Problems_name_each_bad_parameter_and_accept_good_ones()
    {
        var grep = ActionCatalogue.LogGrep.Definition;
        Assert.Empty(grep.Problems(new Dictionary<string, string> { ["path"] = "/a.log", ["pattern"] = "ERR(OR)?", ["maxLines"] = "10", ["ignoreCase"] = "true" }));
        Assert.Equal(
            ["parameter \"path\" is required", "parameter \"pattern\" is required"],
            grep.Problems(null));
        Assert.Equal(
            ["parameter \"maxLines\" must be a whole number from 1 to 10000, not \"0\"", "parameter \"ignoreCase\" must be true or false, not \"yes\"", "parameter \"colour\" is not one log.grep takes (path, pattern, maxLines or ignoreCase)"],
            grep.Problems(new Dictionary<string, string> { ["path"] = "/a", ["pattern"] = "a", ["maxLines"] = "0", ["ignoreCase"] = "yes", ["colour"] = "red" }));
        Assert.Equal(
            ["parameter \"duration\" must be a duration from 1s to 600s (like 500ms, 5s, 1m), not \"1e308s\""],
            ActionCatalogue.DotnetCounters.Definition.Problems(new Dictionary<string, string> { ["duration"] = "1e308s" }));
        Assert.Equal(
            ["parameter \"type\" must be mini, heap or full, not \"huge\""],
            ActionCatalogue.DotnetDump.Definition.Problems(new Dictionary<string, string> { ["type"] = "huge" }));
        Assert.Equal(
            ["parameter \"x\" is not one processes takes (it takes none)"],
            ActionCatalogue.Processes.Problems(new Dictionary<string, string> { ["x"] = "1" }));
        // A script's own parameters are the agent's to check: the operator passes them on.
        Assert.Empty(ActionCatalogue.ScriptRun.Definition.Problems(new Dictionary<string, string> { ["script"] = "mark", ["text"] = "hello" }));
    }

    [Fact]
    public void Values_read_through_a_definition_get_its_defaults_and_bounds()
    {
        Assert.Equal(200, ActionCatalogue.LogGrep.MaxLines.Integer(null));
        Assert.Equal(TimeSpan.FromMilliseconds(500), ActionCatalogue.DotnetTrace.Duration.Duration("500ms"));
        Assert.Equal(TimeSpan.FromSeconds(5), ActionCatalogue.DotnetCounters.Duration.Duration(""));
        Assert.Equal("/", ActionCatalogue.CheckHttp.Path.Text(null));
        var error = Assert.Throws<FormatException>(() => ActionCatalogue.CheckTcp.Port.Integer("70000"));
        Assert.Equal("parameter \"port\" must be a whole number from 1 to 65535, not \"70000\"", error.Message);
        Assert.Equal("parameter \"port\" is required", Assert.Throws<FormatException>(() => ActionCatalogue.CheckTcp.Port.Integer(null)).Message);
    }
}
