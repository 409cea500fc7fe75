using System.Text;
using k8s;
using k8s.Models;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;

namespace Ops.Operator.Tests.Controllers.DiagnosticCommands;

public sealed class CommandStatusBuilderTests
{
    private static TargetRecord Record(int i, string phase, string output = "ok") =>
        new(new CommandTarget($"pod/shop/p{i:D5}/app", $"node-{i % 7}", "shop", $"p{i:D5}", null, "app"), phase, phase == TargetPhase.Succeeded ? 0 : 1, 12,
            phase == TargetPhase.Failed ? "agent on node unreachable" : null, Encoding.UTF8.GetBytes(output));

    [Fact]
    public void A_targets_artifacts_are_listed_with_the_node_that_keeps_them()
    {
        var record = Record(3, TargetPhase.Succeeded) with
        {
            Artifacts = [new Ops.Agent.V1.ArtifactInfo { Name = "abc-123-trace.nettrace", SizeBytes = 4096, Sha256 = "ff00" }],
        };

        var (_, _, results, _) = CommandStatusBuilder.Build([record], new Dictionary<string, string>(), cancelled: false);

        var artifact = Assert.Single(Assert.Single(results).Artifacts!);
        Assert.Equal(("abc-123-trace.nettrace", "node-3", 4096L, "ff00"), (artifact.Name, artifact.Node, artifact.SizeBytes!.Value, artifact.Sha256));
    }

    [Theory]
    [InlineData(new[] { "Pending", "Pending" }, false, "Pending")]
    [InlineData(new[] { "Running", "Pending" }, false, "Running")]
    [InlineData(new[] { "Succeeded", "Pending" }, false, "Running")]
    [InlineData(new[] { "Succeeded", "Succeeded" }, false, "Succeeded")]
    [InlineData(new[] { "Succeeded", "Failed" }, false, "PartiallyFailed")]
    [InlineData(new[] { "Failed", "Failed" }, false, "Failed")]
    [InlineData(new[] { "Succeeded", "Cancelled" }, true, "Cancelled")]
    public void The_phase_follows_the_targets(string[] phases, bool cancelled, string expected)
    {
        var (_, phase, _, _) = CommandStatusBuilder.Build([.. phases.Select((p, i) => Record(i, p))], new Dictionary<string, string>(), cancelled);

        Assert.Equal(expected, phase);
    }

    [Fact]
    public void Five_thousand_targets_keep_the_status_under_256_KiB_with_failures_listed_first()
    {
        var big = new string('x', 4000);
        var records = Enumerable.Range(0, 5000).Select(i => Record(i, i % 50 == 0 ? TargetPhase.Failed : TargetPhase.Succeeded, big)).ToList();
        var refs = records.ToDictionary(r => r.Target.Key, r => "cmd-results-0");

        var (counts, phase, results, omitted) = CommandStatusBuilder.Build(records, refs, cancelled: false);
        var status = new V1Alpha1DiagnosticCommand.CommandStatus { Phase = phase, Targets = counts, Results = results, OmittedResults = omitted };
        var size = Encoding.UTF8.GetByteCount(KubernetesJson.Serialize(status));

        Assert.Equal((5000, 4900, 100), (counts.Total, counts.Succeeded, counts.Failed));
        Assert.Equal(CommandStatusBuilder.MaxListedResults, results.Count);
        Assert.Equal(4900, omitted);
        Assert.All(results, r => Assert.Equal(TargetPhase.Failed, r.Phase));
        Assert.All(results, r => Assert.True(Encoding.UTF8.GetByteCount(r.Summary!) <= CommandStatusBuilder.SummaryBytes + 3));
        Assert.True(size < 256 * 1024, $"status is {size} bytes");
    }

    [Fact]
    public void Summaries_never_split_a_character()
    {
        var text = new string('é', 700);

        var cut = CommandStatusBuilder.Cut(Encoding.UTF8.GetBytes(text), 1023);

        Assert.Equal(new string('é', 511) + "…", cut);
    }

    [Fact]
    public void Shards_pack_outputs_under_the_limit_owned_by_the_command_and_keyed_by_target()
    {
        var command = new V1Alpha1DiagnosticCommand { Metadata = new V1ObjectMeta { Name = "cmd", NamespaceProperty = "shop", Uid = "uid-1" } };
        var records = Enumerable.Range(0, 10).Select(i => Record(i, TargetPhase.Succeeded, new string((char)('a' + i), 200 * 1024))).ToList();
        records.Add(Record(99, TargetPhase.Succeeded) with { Output = [0xff, 0xfe, 0x00] });

        var shards = ResultShards.Pack(command, records, firstShard: 2);

        Assert.Equal(["cmd-results-2", "cmd-results-3", "cmd-results-4"], shards.Select(s => s.Metadata.Name));
        Assert.All(shards, s => Assert.True(s.Data.Sum(d => d.Value.Length) <= ResultShards.ShardBytes));
        Assert.All(shards, s => Assert.Equal(("uid-1", true), (s.Metadata.OwnerReferences.Single().Uid, s.Metadata.OwnerReferences.Single().Controller!.Value)));
        Assert.Equal(new string('c', 200 * 1024), shards.SelectMany(s => s.Data).Single(d => d.Key == "pod_shop_p00002_app").Value);
        Assert.Equal(new byte[] { 0xff, 0xfe, 0x00 }, shards[^1].BinaryData["pod_shop_p00099_app"]);
    }
}
