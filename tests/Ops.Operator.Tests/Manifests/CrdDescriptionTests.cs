using k8s.Models;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Manifests;

namespace Ops.Operator.Tests.Manifests;

/// <summary>
/// Every field of every CRD says what it is, so <c>kubectl explain</c> never prints &lt;no description&gt;:
/// descriptions come from the API types' documentation comments (and KubernetesClient's for upstream types).
/// </summary>
public sealed class CrdDescriptionTests
{
    public static TheoryData<string> Kinds => [nameof(V1Alpha1DiagnosticCommand), nameof(V1Alpha1ScheduledTask), nameof(V1Alpha1AgentVersion)];

    private static Type KindType(string name) => typeof(V1Alpha1DiagnosticCommand).Assembly.GetType($"{typeof(V1Alpha1DiagnosticCommand).Namespace}.{name}")!;

    [Theory, MemberData(nameof(Kinds))]
    public void Every_field_has_a_description(string kind)
    {
        var root = CrdGenerator.Generate(KindType(kind)).Spec.Versions[0].Schema.OpenAPIV3Schema;
        var missing = new List<string>();
        Walk(root, "", missing);
        Assert.True(missing.Count == 0, $"{kind}: fields without a description: {string.Join(", ", missing)}");
    }

    [Fact]
    public void A_description_is_the_plain_text_of_the_summary()
    {
        var spec = CrdGenerator.Generate(typeof(V1Alpha1DiagnosticCommand)).Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"];
        Assert.Equal("The action to run, from the agent's action catalogue (processes, log.grep, dotnet.stacks, ...).", spec.Properties["action"].Description);
        Assert.StartsWith("matchLabels is a map of {key,value} pairs.", spec.Properties["target"].Properties["pods"].Properties["selector"].Properties["matchLabels"].Description);
    }

    /// <summary>Object metadata is the API server's (kubebuilder leaves it undescribed too); array items and map values are described by their field.</summary>
    private static void Walk(V1JSONSchemaProps schema, string path, List<string> missing)
    {
        if (path.Length > 0 && string.IsNullOrWhiteSpace(schema.Description)) missing.Add(path);
        foreach (var (name, property) in schema.Properties ?? new Dictionary<string, V1JSONSchemaProps>())
        {
            if (path.Length == 0 && name == "metadata") continue;
            Walk(property, path.Length == 0 ? name : $"{path}.{name}", missing);
        }
        if (schema.Items is V1JSONSchemaProps items)
        {
            foreach (var (name, property) in items.Properties ?? new Dictionary<string, V1JSONSchemaProps>()) Walk(property, $"{path}[].{name}", missing);
        }
    }
}
