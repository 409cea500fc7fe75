using Ops.ControllerRuntime.Hosting;

namespace Ops.ControllerRuntime.Tests;

/// <summary>The runtime knows nothing of the resources it serves: it references no Ops assembly and no metrics library.</summary>
public sealed class IndependenceTests
{
    [Fact]
    public void The_runtime_references_no_application_assembly()
    {
        var references = typeof(ControllerManager).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();
        Assert.Contains("KubernetesClient", references);
        Assert.DoesNotContain(references, r => r.StartsWith("Ops.", StringComparison.Ordinal) || r.StartsWith("prometheus", StringComparison.OrdinalIgnoreCase));
    }
}
