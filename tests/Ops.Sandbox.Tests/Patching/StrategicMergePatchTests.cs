using System.Text.Json.Nodes;
using Ops.Sandbox.Patching;

namespace Ops.Sandbox.Tests.Patching;

public sealed class StrategicMergePatchTests
{
    private static string Apply(string target, string patch) =>
        StrategicMergePatch.Apply(JsonNode.Parse(target), JsonNode.Parse(patch))!.ToJsonString();

    [Fact]
    public void Lists_with_a_merge_key_merge_item_by_item() => Assert.Equal(
        """{"containers":[{"name":"a","image":"a:2"},{"name":"b","image":"b:1"},{"name":"c"}]}""",
        Apply("""{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}""", """{"containers":[{"name":"a","image":"a:2"},{"name":"c"}]}"""));

    [Fact]
    public void A_list_item_marked_delete_is_removed() => Assert.Equal(
        """{"conditions":[{"type":"B"}]}""",
        Apply("""{"conditions":[{"type":"A"},{"type":"B"}]}""", """{"conditions":[{"type":"A","$patch":"delete"}]}"""));

    [Fact]
    public void Lists_without_a_merge_key_are_replaced() => Assert.Equal(
        """{"args":["x"]}""",
        Apply("""{"args":["a","b"]}""", """{"args":["x"]}"""));

    [Fact]
    public void A_replace_directive_replaces_a_map() => Assert.Equal(
        """{"data":{"only":"this"}}""",
        Apply("""{"data":{"a":"1","b":"2"}}""", """{"data":{"$patch":"replace","only":"this"}}"""));

    [Fact]
    public void Finalizers_merge_as_a_set_and_delete_from_primitive_list_removes() => Assert.Equal(
        """{"metadata":{"finalizers":["b","c"]}}""",
        Apply("""{"metadata":{"finalizers":["a","b"]}}""", """{"metadata":{"finalizers":["b","c"],"$deleteFromPrimitiveList/finalizers":["a"]}}"""));

    [Fact]
    public void Null_removes_a_field_and_retain_keys_drops_the_rest() => Assert.Equal(
        """{"spec":{"keep":1}}""",
        Apply("""{"spec":{"keep":1,"drop":2,"gone":3}}""", """{"spec":{"$retainKeys":["keep","gone"],"gone":null}}"""));
}
