using Ops.Operator.Manifests;
using Ops.TestSupport;

namespace Ops.Operator.Tests.Manifests;

/// <summary>docs/actions.md is rendered from the shared catalogue: it names every action and parameter, and cannot drift from the code.</summary>
public sealed class ActionsReferenceTests
{
    [Fact]
    public void The_actions_page_is_the_catalogue_rendered()
    {
        var page = Path.Combine(RepositoryPaths.Root, "docs", "actions.md");
        Assert.True(File.Exists(page) && File.ReadAllText(page) == ActionsReference.Render(),
            "docs/actions.md differs from the catalogue: run `dotnet run --project operator/Ops.Operator -- actions --out \"$PWD/docs/actions.md\"`");
    }

    [Fact]
    public void Every_action_and_parameter_is_on_the_page()
    {
        var text = ActionsReference.Render();
        Assert.All(Ops.Agent.V1.Actions.ActionCatalogue.All, a =>
        {
            Assert.Contains($"## {a.Name}\n", text);
            Assert.All(a.Parameters, p => Assert.Contains($"| `{p.Name}`", text));
        });
    }
}
