using BenchmarkDotNet.Attributes;
using k8s.Models;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;

namespace Ops.Bench.Micro;

/// <summary>Resolving a command's targets once at its start: every node of a 5,000-node cluster, and a stable 10% sample of them.</summary>
[MemoryDiagnoser]
public class TargetResolverBenchmarks
{
    private readonly TargetResolver _resolver = new();
    private List<V1Node> _nodes = [];

    [GlobalSetup]
    public void Setup() => _nodes = [.. Enumerable.Range(1, 5_000).Select(i => new V1Node
    {
        Metadata = new V1ObjectMeta { Name = $"node-{i}", Labels = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux", ["zone"] = $"z{i % 3}" } },
    })];

    private static V1Alpha1DiagnosticCommand Command(V1Alpha1DiagnosticCommand.SampleSpec? sample) => new()
    {
        Metadata = new V1ObjectMeta { Name = "bench", NamespaceProperty = "ops-system", Uid = "0d7c8a3e-bench" },
        Spec = new V1Alpha1DiagnosticCommand.CommandSpec
        {
            Action = "node.info",
            Target = new V1Alpha1DiagnosticCommand.TargetSpec
            {
                Nodes = new V1Alpha1DiagnosticCommand.NodeTarget { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" } } },
                Sample = sample,
            },
        },
    };

    [Benchmark(Description = "5,000 nodes, all")]
    public int All() => _resolver.Resolve(Command(null), [], _nodes).Targets.Count;

    [Benchmark(Description = "5,000 nodes, 10% sample")]
    public int Sample() => _resolver.Resolve(Command(new V1Alpha1DiagnosticCommand.SampleSpec { Mode = "percent", Value = 10 }), [], _nodes).Targets.Count;
}
