using System.Text;
using BenchmarkDotNet.Attributes;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using k8s.Models;

namespace Ops.Bench.Micro;

/// <summary>
/// What a running 5,000-target command costs per status pass (at most one a second): the status from
/// every target's record, and packing the finished outputs into result ConfigMaps at the end.
/// </summary>
[MemoryDiagnoser]
public class CommandStatusBenchmarks
{
    [Params(1_000, 5_000)]
    public int Targets { get; set; }

    private List<TargetRecord> _records = [];
    private V1Alpha1DiagnosticCommand _command = null!;

    [GlobalSetup]
    public void Setup()
    {
        var output = Encoding.UTF8.GetBytes(new string('x', 200));
        _records = [.. Enumerable.Range(1, Targets).Select(i => new TargetRecord(CommandTarget.ForNode($"node-{i}"),
            i % 50 == 0 ? TargetPhase.Failed : TargetPhase.Succeeded, i % 50 == 0 ? 1 : 0, 12, i % 50 == 0 ? "simulated failure" : null, output))];
        _command = new V1Alpha1DiagnosticCommand { Metadata = new V1ObjectMeta { Name = "bench", NamespaceProperty = "ops-system", Uid = Guid.NewGuid().ToString() } };
    }

    [Benchmark(Description = "status from every target's record")]
    public int Status() => CommandStatusBuilder.Build(_records, new Dictionary<string, string>(), cancelled: false).Results.Count;

    [Benchmark(Description = "outputs packed into result ConfigMaps")]
    public int Shards() => ResultShards.Pack(_command, _records, firstShard: 0).Count;
}
