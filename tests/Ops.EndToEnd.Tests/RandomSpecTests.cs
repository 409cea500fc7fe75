using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using CsCheck;
using k8s;
using k8s.Autorest;
using Ops.Demo;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests;

/// <summary>
/// Random and hostile DiagnosticCommand specs (wrong types, absurd numbers, unknown actions, bad selectors,
/// targets of both kinds or none, names that are not nodes) through the API to the running operator:
/// each is refused at create with a 4xx naming a spec field, or ends with a phase and a reason; the
/// operator never restarts and a good command afterwards still succeeds. A failing case prints its seed.
/// Alone with the cluster: it checks the operator's restart count, and its load is kept off the fault tests' timing.
/// </summary>
[Collection(nameof(ClusterWideCollection))]
public sealed class RandomSpecTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    // Mostly of the right type, so that most specs get past the schema and reach the operator.
    private static readonly Gen<JsonNode?> Numbers = Gen.Frequency(
        (12, Gen.OneOf<JsonNode?>(null, 1, 3, 30)), (3, Gen.OneOf<JsonNode?>(-1, 0, 1000, int.MaxValue)), (1, Gen.OneOf<JsonNode?>("5", "abc", 2.5, true)));

    private static readonly Gen<string> Names = Gen.Frequency((6, Gen.OneOf("node-1", "node-2", "node-99")), (1, Gen.OneOf("", "NODE-1", "../node-1", "node-1; rm -rf /", new string('n', 300))));

    private static readonly Gen<JsonNode?> Selector = Gen.OneOf(
        Gen.OneOf("checkout", "no-such-app", "", "Bad Value!").Select(app => (JsonNode?)new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = app } }),
        Gen.Select(Gen.OneOf("app", "", "a/b/c", "kubernetes.io/hostname"), Gen.OneOf("In", "NotIn", "Exists", "DoesNotExist", "Bogus"), Gen.OneOf("checkout", "node-1", "", "x y").Array[0, 2],
            (key, op, values) => (JsonNode?)new JsonObject { ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = key, ["operator"] = op, ["values"] = new JsonArray([.. values.Select(v => (JsonNode?)v)]) }) }),
        Gen.Const<JsonNode?>(() => new JsonObject()),
        Gen.Const<JsonNode?>(() => "not an object"));

    private static readonly Gen<JsonNode?> Target = Gen.OneOf(
        Names.Array[0, 3].Select(names => (JsonNode?)new JsonObject { ["nodes"] = new JsonObject { ["names"] = new JsonArray([.. names.Select(n => (JsonNode?)n)]) } }),
        Selector.Select(s => (JsonNode?)new JsonObject { ["nodes"] = new JsonObject { ["selector"] = s?.DeepClone() } }),
        Gen.Select(Selector, Gen.OneOf<JsonNode?>(null, "api", "nope", ""), Gen.OneOf<JsonNode?>(null, new JsonObject { ["pid"] = -1 }, new JsonObject { ["name"] = "(" }, new JsonObject { ["port"] = 70000 }),
            (s, container, process) => (JsonNode?)new JsonObject { ["pods"] = new JsonObject { ["selector"] = s?.DeepClone(), ["container"] = container?.DeepClone(), ["process"] = process?.DeepClone() } }),
        Gen.Select(Gen.OneOf("all", "one", "fixed", "percent", "bogus"), Numbers, (mode, value) => (JsonNode?)new JsonObject
        {
            ["pods"] = new JsonObject { ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "checkout" } } },
            ["sample"] = new JsonObject { ["mode"] = mode, ["value"] = value?.DeepClone() },
        }),
        Gen.Const<JsonNode?>(() => new JsonObject { ["nodes"] = new JsonObject { ["names"] = new JsonArray("node-1") }, ["pods"] = new JsonObject { ["selector"] = new JsonObject() } }),
        Gen.Const<JsonNode?>(() => new JsonObject()),
        Gen.Const<JsonNode?>(() => null));

    private static readonly Gen<JsonNode?> Parameters = Gen.OneOf(
        Gen.Select(Gen.OneOf("host", "port", "name", "pid", "path", "", "x"), Gen.OneOf("127.0.0.1", "1", "-1", "abc", "", "/etc/hostname", "$(reboot)")).Array[0, 3]
            .Select(pairs => (JsonNode?)new JsonObject(pairs.DistinctBy(p => p.Item1).Select(p => KeyValuePair.Create(p.Item1, (JsonNode?)p.Item2)))),
        Gen.Const<JsonNode?>(() => null));

    private static readonly Gen<(string Namespace, JsonObject Spec)> Specs =
        Gen.Select(Gen.OneOf(DemoCluster.OpsNamespace, DemoCluster.ShopNamespace),
            Gen.Frequency((8, Gen.OneOf<JsonNode?>("processes", "node.info", "check.tcp", "check.process", "no.such")), (1, Gen.OneOf<JsonNode?>("", "PROCESSES", "processes; rm -rf /", 7, null))),
            Target, Parameters, Gen.Select(Numbers, Numbers, Gen.Frequency((8, Gen.OneOf<JsonNode?>(null, false)), (1, Gen.OneOf<JsonNode?>(true, "yes"))), (t, p, c) => (Timeout: t, Parallelism: p, Cancel: c)),
            (ns, action, target, parameters, rest) => (ns, new JsonObject
            {
                ["action"] = action?.DeepClone(),
                ["target"] = target?.DeepClone(),
                ["parameters"] = parameters?.DeepClone(),
                ["timeoutSeconds"] = rest.Timeout?.DeepClone(),
                ["parallelism"] = rest.Parallelism?.DeepClone(),
                ["cancel"] = rest.Cancel?.DeepClone(),
            }));

    [Fact]
    public async Task Random_specs_are_refused_with_a_field_or_end_with_a_reason_and_the_operator_serves_on()
    {
        var operatorBefore = await SandboxPods.OperatorAsync(cluster.Client, _ct);
        var outcomes = new ConcurrentDictionary<string, int>();
        var count = 0;

        await Specs.SampleAsync(async sample =>
        {
            var (ns, spec) = sample;
            var name = $"random-{Interlocked.Increment(ref count)}-{Guid.NewGuid():n}"[..24];
            var body = new JsonObject { ["apiVersion"] = ApiGroup.ApiVersion, ["kind"] = V1Alpha1DiagnosticCommand.KindName, ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec.DeepClone() };
            try
            {
                await cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(body, ApiGroup.Name, ApiGroup.Version, ns, V1Alpha1DiagnosticCommand.Plural, cancellationToken: _ct);
            }
            catch (HttpOperationException e) when ((int)e.Response.StatusCode is 400 or 422)
            {
                Assert.Contains("spec", e.Response.Content, StringComparison.Ordinal);
                outcomes.AddOrUpdate("refused at create", 1, (_, n) => n + 1);
                return;
            }
            var done = await Commands.FinishedAsync(cluster.Client, ns, name, Timeouts.CommandThroughFault);
            var status = done.Status!;
            var failedResults = status.Results?.Where(r => r.Phase != CommandPhase.Succeeded).ToList() ?? [];
            var why = (status.Conditions ?? []).Where(c => (c.Type == ConditionTypes.Accepted && c.Status == "False") || (c.Type == ConditionTypes.Failed && c.Status == "True"))
                .Select(c => c.Message).Where(m => !string.IsNullOrWhiteSpace(m)).ToList();
            var shown = $"{spec.ToJsonString()} in {ns} ended {status.Phase}: {k8s.KubernetesJson.Serialize(status)}";
            Assert.True(status.Phase is CommandPhase.Succeeded or CommandPhase.PartiallyFailed or CommandPhase.Failed or CommandPhase.Cancelled, shown);
            Assert.True(failedResults.All(r => !string.IsNullOrWhiteSpace(r.Message)), $"a failed target without a reason: {shown}");
            if (status.Phase is CommandPhase.Failed) Assert.True(why.Count > 0 || failedResults.Count > 0, $"failed without a reason: {shown}");
            outcomes.AddOrUpdate(status.Phase!, 1, (_, n) => n + 1);
            await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, ns, V1Alpha1DiagnosticCommand.Plural, name, cancellationToken: _ct);
        }, iter: 60, threads: 2);

        await Commands.CreateAsync(cluster.Client, DemoCluster.ShopNamespace, "after-random", Commands.OnPods("processes", null, "checkout"));
        var good = await Commands.FinishedAsync(cluster.Client, DemoCluster.ShopNamespace, "after-random");
        var operatorAfter = await SandboxPods.OperatorAsync(cluster.Client, _ct);

        Assert.Equal(CommandPhase.Succeeded, good.Status!.Phase);
        Assert.Equal(operatorBefore.Metadata.Uid, operatorAfter.Metadata.Uid);
        Assert.Equal(operatorBefore.Status.ContainerStatuses.Single().RestartCount, operatorAfter.Status.ContainerStatuses.Single().RestartCount);
        // The sample reached both the schema and the operator (few random specs succeed; the good command shows that path).
        Assert.True(outcomes.GetValueOrDefault("refused at create") > 0 && outcomes.GetValueOrDefault(CommandPhase.Failed) > 0, string.Join(", ", outcomes));
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", outcomes));
    }
}
