using System.Text.Json.Nodes;
using Ops.Operator.Admission;

namespace Ops.Operator.Tests.Admission;

/// <summary>The mutating webhook stamps who created a command or task, replacing what a creator wrote, except for the operator's own runs.</summary>
public sealed class RequesterStampTests
{
    private const string OperatorUser = "system:serviceaccount:ops-system:ops-operator";
    private static readonly RequesterSeal Seal = new(() => "the operator's secret");

    private static AdmissionRequest Create(string user, JsonObject? annotations, string operation = "CREATE") => new(
        "uid-1", operation, "ops.dev", "DiagnosticCommand", "shop", user, ["shop-devs", "system:authenticated"],
        new JsonObject { ["metadata"] = new JsonObject { ["name"] = "c", ["annotations"] = annotations } }, null);

    /// <summary>The object after the patch, as the API server applies it (add: set the member, creating annotations when absent).</summary>
    private static JsonObject Apply(AdmissionRequest request, JsonArray? patch)
    {
        var result = request.Object!.DeepClone().AsObject();
        foreach (var op in patch ?? [])
        {
            var path = ((string)op!["path"]!).Split('/')[1..].Select(p => p.Replace("~1", "/").Replace("~0", "~")).ToArray();
            var parent = path[..^1].Aggregate((JsonNode)result, (node, part) => node[part]!);
            parent[path[^1]] = op["value"]!.DeepClone();
        }
        return result;
    }

    [Fact]
    public void A_creation_is_stamped_with_the_user_and_groups_of_the_request()
    {
        var bare = Create("alice", null);
        var annotated = Create("alice", new JsonObject { ["team"] = "shop" });

        var stamped = Apply(bare, RequesterStamp.Patch(bare, OperatorUser, Seal));
        var beside = Apply(annotated, RequesterStamp.Patch(annotated, OperatorUser, Seal));

        var expected = (string)stamped["metadata"]!["annotations"]![Requester.Annotation]!;
        Assert.StartsWith("""{"username":"alice","groups":["shop-devs","system:authenticated"],"seal":""", expected);
        Assert.Equal((expected, "shop"), ((string?)beside["metadata"]!["annotations"]![Requester.Annotation], (string?)beside["metadata"]!["annotations"]!["team"]));
        var parsed = Requester.Parse(expected);
        Assert.Equal("alice", parsed.Username);
        Assert.Equal(["shop-devs", "system:authenticated"], parsed.Groups);
        Assert.True(Seal.Holds("shop", parsed));
    }

    [Fact]
    public void A_requester_written_by_the_creator_is_replaced_unless_the_creator_is_the_operator()
    {
        var forged = new Requester("cluster-admin", ["system:masters"]).ToAnnotation();
        var byUser = Create("mallory", new JsonObject { [Requester.Annotation] = forged });
        var byOperator = Create(OperatorUser, new JsonObject { [Requester.Annotation] = forged });
        var byOperatorUnstamped = Create(OperatorUser, null);

        Assert.Equal("mallory", Requester.Parse((string)Apply(byUser, RequesterStamp.Patch(byUser, OperatorUser, Seal))["metadata"]!["annotations"]![Requester.Annotation]!).Username);
        Assert.Null(RequesterStamp.Patch(byOperator, OperatorUser, Seal));
        Assert.Equal(OperatorUser, Requester.Parse((string)Apply(byOperatorUnstamped, RequesterStamp.Patch(byOperatorUnstamped, OperatorUser, Seal))["metadata"]!["annotations"]![Requester.Annotation]!).Username);
    }

    [Fact]
    public void Updates_are_not_mutated_and_a_hand_written_annotation_still_reads_as_a_user()
    {
        Assert.Null(RequesterStamp.Patch(Create("alice", null, operation: "UPDATE"), OperatorUser, Seal));
        Assert.Equal(("bob", 0), (Requester.Parse("bob").Username, Requester.Parse("bob").Groups.Count));
        Assert.Equal("alice (groups a, b)", new Requester("alice", ["a", "b"]).Describe());
    }

    [Fact]
    public void Only_a_requester_the_webhook_stamped_for_that_namespace_reads_as_verified()
    {
        var sealedForShop = Seal.Sealed("shop", new Requester("alice", ["shop-devs"]));
        var written = new Requester("cluster-admin", ["system:masters"]);
        string Describe(string ns, Requester? requester) => Seal.Describe(new k8s.Models.V1ObjectMeta
        {
            NamespaceProperty = ns, Annotations = requester is null ? null : new Dictionary<string, string> { [Requester.Annotation] = requester.ToAnnotation() },
        });

        Assert.Equal("alice (groups shop-devs)", Describe("shop", sealedForShop));
        Assert.Equal("alice (groups shop-devs), not stamped by the admission webhook", Describe("web", sealedForShop));
        Assert.Equal("cluster-admin (groups system:masters), not stamped by the admission webhook", Describe("shop", written));
        Assert.Equal("cluster-admin (groups system:masters), not stamped by the admission webhook", Describe("shop", written with { Seal = sealedForShop.Seal }));
        Assert.Equal("unknown", Describe("shop", null));
        Assert.False(new RequesterSeal(() => "another secret").Holds("shop", sealedForShop));
    }
}
