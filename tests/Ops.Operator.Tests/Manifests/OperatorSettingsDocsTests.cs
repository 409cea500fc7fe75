using System.Reflection;
using Ops.Operator.Hosting;
using Ops.TestSupport;

namespace Ops.Operator.Tests.Manifests;

/// <summary>docs/install.md lists every operator setting, so a new one cannot ship undocumented.</summary>
public sealed class OperatorSettingsDocsTests
{
    [Fact]
    public void Every_operator_setting_is_documented()
    {
        var page = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "install.md"));
        var missing = typeof(OperatorOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => $"`{OperatorOptions.Section}:{p.Name}`").Where(name => !page.Contains(name, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"docs/install.md does not describe: {string.Join(", ", missing)}");
    }
}
