using System.Text.Json.Nodes;
using Ops.Sandbox.Api;
using Ops.Sandbox.Patching;

namespace Ops.Sandbox.Tests.Patching;

public sealed class JsonPatchTests
{
    private static string Apply(string document, string patch) => JsonPatch.Apply(JsonNode.Parse(document)!, JsonNode.Parse(patch)).ToJsonString();

    [Fact]
    public void Operations_follow_RFC_6902() => Assert.Equal(
        """{"a":{"x":1},"list":[0,9,2,3],"copy":{"x":1},"b~/c":5}""",
        Apply("""{"a":{"x":1},"list":[0,2],"moved":5}""", """
            [{"op":"add","path":"/list/1","value":9},{"op":"add","path":"/list/-","value":3},
             {"op":"copy","from":"/a","path":"/copy"},{"op":"move","from":"/moved","path":"/b~0~1c"},
             {"op":"test","path":"/a/x","value":1}]
            """));

    [Theory]
    [InlineData("""[{"op":"remove","path":"/missing"}]""", 422)]
    [InlineData("""[{"op":"test","path":"/a","value":2}]""", 422)]
    [InlineData("""[{"op":"add","path":"no-slash","value":1}]""", 400)]
    [InlineData("""[{"op":"replace","path":"/a"}]""", 400)]
    [InlineData("""[{"path":"/a"}]""", 400)]
    [InlineData("""{"op":"add"}""", 400)]
    public void Bad_patches_are_rejected_with_a_client_error(string patch, int code)
    {
        var error = Assert.Throws<ApiException>(() => Apply("""{"a":1}""", patch));

        Assert.Equal(code, error.Code);
    }
}
