using System.Text.Json.Nodes;
using Ops.Sandbox.Api;
using Ops.Sandbox.Validation;

namespace Ops.Sandbox.Tests.Validation;

public sealed class StructuralSchemaTests
{
    private static readonly StructuralSchema Schema = StructuralSchema.Parse(JsonNode.Parse("""
        {"type":"object","properties":{
          "spec":{"type":"object","required":["name"],"properties":{
            "name":{"type":"string","minLength":2,"maxLength":5,"pattern":"^[a-z]+$"},
            "count":{"type":"integer","minimum":1,"maximum":10,"default":3},
            "mode":{"type":"string","enum":["a","b"]},
            "tags":{"type":"array","maxItems":2,"items":{"type":"string"}},
            "labels":{"type":"object","additionalProperties":{"type":"string"}},
            "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
            "size":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string","pattern":"^[0-9]+%$"}]},
            "nested":{"type":"object","properties":{"flag":{"type":"boolean","default":true}}}}}}}
        """)!.AsObject());

    private static (JsonObject Result, List<FieldError> Errors, List<string> Unknown) Apply(string spec)
    {
        var resource = JsonNode.Parse($$"""{"apiVersion":"x/v1","kind":"K","metadata":{"name":"n"},"spec":{{spec}}}""")!.AsObject();
        var errors = new List<FieldError>();
        var unknown = new List<string>();
        Schema.Apply(resource, errors, unknown);
        return (resource, errors, unknown);
    }

    [Fact]
    public void Defaults_fill_absent_fields_of_present_objects_only()
    {
        var (result, errors, _) = Apply("""{"name":"ok","nested":{}}""");

        Assert.Empty(errors);
        Assert.Equal(3, (int)result["spec"]!["count"]!);
        Assert.True((bool)result["spec"]!["nested"]!["flag"]!);
        Assert.Null(result["spec"]!["tags"]);
    }

    [Fact]
    public void Unknown_fields_are_pruned_except_where_preserved()
    {
        var (result, _, unknown) = Apply("""{"name":"ok","extra":1,"nested":{"odd":2},"free":{"anything":{"goes":true}},"labels":{"k":"v"}}""");

        Assert.Equal(["spec.extra", "spec.nested.odd"], unknown.Order());
        Assert.Null(result["spec"]!["extra"]);
        Assert.True((bool)result["spec"]!["free"]!["anything"]!["goes"]!);
    }

    [Theory]
    [InlineData("""{}""", "spec.name", "FieldValueRequired")]
    [InlineData("""{"name":"x"}""", "spec.name", "FieldValueInvalid")]
    [InlineData("""{"name":"toolong"}""", "spec.name", "FieldValueTooLong")]
    [InlineData("""{"name":"AB"}""", "spec.name", "FieldValueInvalid")]
    [InlineData("""{"name":"ok","count":0}""", "spec.count", "FieldValueInvalid")]
    [InlineData("""{"name":"ok","count":1.5}""", "spec.count", "FieldValueInvalid")]
    [InlineData("""{"name":"ok","count":"3"}""", "spec.count", "FieldValueInvalid")]
    [InlineData("""{"name":"ok","mode":"c"}""", "spec.mode", "FieldValueNotSupported")]
    [InlineData("""{"name":"ok","tags":["a","b","c"]}""", "spec.tags", "FieldValueTooMany")]
    [InlineData("""{"name":"ok","tags":[1]}""", "spec.tags[0]", "FieldValueInvalid")]
    [InlineData("""{"name":"ok","labels":{"k":5}}""", "spec.labels.k", "FieldValueInvalid")]
    [InlineData("""{"name":"ok","size":"lots"}""", "spec.size", "FieldValueInvalid")]
    [InlineData("""{"name":"ok","size":[1]}""", "spec.size", "FieldValueInvalid")]
    // As an API server does: a null where null is not allowed is dropped, so a required field is then missing.
    [InlineData("""{"name":null}""", "spec.name", "FieldValueRequired")]
    public void Each_violation_names_its_field_and_reason(string spec, string field, string reason)
    {
        var (_, errors, _) = Apply(spec);

        Assert.Contains(errors, e => e.Field == field && e.Reason == reason);
    }

    [Theory]
    [InlineData("""{"name":"ok","size":4}""")]
    [InlineData("""{"name":"ok","size":"50%"}""")]
    [InlineData("""{"name":"abcde","count":10,"mode":"b","tags":["x","y"]}""")]
    public void Valid_specs_pass(string spec) => Assert.Empty(Apply(spec).Errors);
}
