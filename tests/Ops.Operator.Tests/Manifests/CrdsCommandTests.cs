using Ops.Operator.Manifests;
using Ops.TestSupport;

namespace Ops.Operator.Tests.Manifests;

public sealed class CrdsCommandTests
{
    [Fact]
    public void Committed_crds_equal_what_the_api_types_generate()
    {
        var generated = CrdsCommand.Render();
        var committed = Directory.GetFiles(RepositoryPaths.Crds, "*.yaml").ToDictionary(f => Path.GetFileName(f), File.ReadAllText);

        Assert.Equal(generated.Keys.Order(), committed.Keys.Order());
        foreach (var (name, yaml) in generated)
        {
            Assert.True(yaml == committed[name], $"crds/{name} differs from what the API types generate; run `dotnet run --project operator/Ops.Operator -- crds --out \"$PWD/crds\"` and commit the result");
        }
    }

    [Fact]
    public void Run_writes_one_file_per_kind()
    {
        var directory = TestWorkspace.CreateDirectory("crds-");
        try
        {
            var output = new StringWriter();
            Assert.Equal(0, CrdsCommand.Run(directory, output));

            var written = Directory.GetFiles(directory).Select(Path.GetFileName).Order().ToArray();
            Assert.Equal(["agentversions.ops.dev.yaml", "diagnosticcommands.ops.dev.yaml", "diagnosticpolicies.ops.dev.yaml", "diagnostictriggers.ops.dev.yaml", "scheduledtasks.ops.dev.yaml"], written);
            Assert.Contains("wrote", output.ToString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
