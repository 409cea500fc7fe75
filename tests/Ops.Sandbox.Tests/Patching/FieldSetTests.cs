using System.Text.Json.Nodes;
using Ops.Sandbox.Patching;

namespace Ops.Sandbox.Tests.Patching;

public sealed class FieldSetTests
{
    [Fact]
    public void Leaves_skip_identity_and_round_trip_through_FieldsV1()
    {
        var obj = JsonNode.Parse("""{"apiVersion":"v1","kind":"K","metadata":{"name":"n","uid":"u","labels":{"a":"1"}},"spec":{"x":{"y":1},"list":[1,2],"empty":{}}}""")!.AsObject();

        var set = FieldSet.Of(obj);
        var decoded = FieldSet.FromFieldsV1(set.ToFieldsV1());

        Assert.Equal([".metadata.labels.a", ".spec.empty", ".spec.list", ".spec.x.y"], set.Paths.Select(FieldSet.Display).Order());
        Assert.Equal(set.Paths.Order(), decoded.Paths.Order());
        Assert.Equal("""{"f:metadata":{"f:labels":{"f:a":{}}},"f:spec":{"f:empty":{},"f:list":{},"f:x":{"f:y":{}}}}""", set.ToFieldsV1().ToJsonString());
    }

    [Fact]
    public void Overlap_covers_parents_and_children()
    {
        var set = FieldSet.FromPaths([FieldSet.Join(["spec", "x"])]);

        Assert.True(set.Overlaps(FieldSet.Join(["spec", "x"])));
        Assert.True(set.Overlaps(FieldSet.Join(["spec", "x", "y"])));
        Assert.True(set.Overlaps(FieldSet.Join(["spec"])));
        Assert.False(set.Overlaps(FieldSet.Join(["spec", "xy"])));
    }
}
