using k8s.Models;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Manifests;

namespace Ops.Operator.Tests.Manifests;

public sealed class CrdGeneratorTests
{
    private static V1JSONSchemaProps Spec(V1CustomResourceDefinition crd) => crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"];

    [Fact]
    public void DiagnosticCommand_is_namespaced_with_short_name_status_subresource_and_printer_columns()
    {
        var crd = CrdGenerator.Generate(typeof(V1Alpha1DiagnosticCommand));

        Assert.Equal("diagnosticcommands.ops.dev", crd.Metadata.Name);
        Assert.Equal("Namespaced", crd.Spec.Scope);
        Assert.Equal(["dcmd"], crd.Spec.Names.ShortNames);
        var version = Assert.Single(crd.Spec.Versions);
        Assert.Equal("v1alpha1", version.Name);
        Assert.True(version.Served && version.Storage);
        Assert.NotNull(version.Subresources.Status);
        Assert.Equal(["ACTION", "PHASE", "TARGETS", "SUCCEEDED", "FAILED", "AGE"], version.AdditionalPrinterColumns.Select(c => c.Name));
        Assert.Equal("date", version.AdditionalPrinterColumns.Single(c => c.Name == "AGE").Type);
    }

    [Fact]
    public void DiagnosticCommand_spec_carries_validation_and_defaults()
    {
        var spec = Spec(CrdGenerator.Generate(typeof(V1Alpha1DiagnosticCommand)));

        Assert.Equal(["action", "target"], spec.Required);
        Assert.Equal(Patterns.ActionName, spec.Properties["action"].Pattern);
        Assert.Equal(60L, Convert.ToInt64(spec.Properties["timeoutSeconds"].DefaultProperty));
        Assert.Equal(1, spec.Properties["parallelism"].Minimum);
        Assert.Equal(10000, spec.Properties["parallelism"].Maximum);
        var sample = spec.Properties["target"].Properties["sample"].Properties["mode"];
        Assert.Equal(["all", "one", "fixed", "percent"], sample.EnumProperty.Cast<string>());
        Assert.Equal("all", sample.DefaultProperty);
        var selector = spec.Properties["target"].Properties["pods"].Properties["selector"];
        Assert.Equal("object", selector.Properties["matchLabels"].Type);
        Assert.Equal("string", ((V1JSONSchemaProps)selector.Properties["matchLabels"].AdditionalProperties).Type);
    }

    [Fact]
    public void DiagnosticCommand_status_lists_bounded_results_and_standard_conditions()
    {
        var status = CrdGenerator.Generate(typeof(V1Alpha1DiagnosticCommand)).Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"];

        Assert.Equal([CommandPhase.Pending, CommandPhase.Running, CommandPhase.Succeeded, CommandPhase.PartiallyFailed, CommandPhase.Failed, CommandPhase.Cancelled],
            status.Properties["phase"].EnumProperty.Cast<string>());
        var condition = status.Properties["conditions"].Items as V1JSONSchemaProps;
        Assert.Equal(["lastTransitionTime", "message", "reason", "status", "type"], condition!.Required);
        Assert.Contains("resultRef", ((V1JSONSchemaProps)status.Properties["results"].Items).Properties.Keys);
    }

    [Fact]
    public void AgentVersion_is_cluster_scoped_with_int_or_string_max_unavailable()
    {
        var crd = CrdGenerator.Generate(typeof(V1Alpha1AgentVersion));
        var strategy = Spec(crd).Properties["strategy"];
        var maxUnavailable = strategy.Properties["maxUnavailable"];

        Assert.Equal("Cluster", crd.Spec.Scope);
        Assert.Equal(["av"], crd.Spec.Names.ShortNames);
        Assert.True(maxUnavailable.XKubernetesIntOrString);
        Assert.Equal(2, maxUnavailable.AnyOf.Count);
        Assert.Equal(Patterns.Percent, maxUnavailable.AnyOf[1].Pattern);
        Assert.Equal(Patterns.Duration, ((V1JSONSchemaProps)strategy.Properties["canary"].Properties["steps"].Items).Properties["pause"].Properties["duration"].Pattern);
        Assert.Equal(true, Spec(crd).Properties["strategy"].Properties["autoRollback"].DefaultProperty);
    }

    [Fact]
    public void ScheduledTask_embeds_the_command_spec_as_its_template()
    {
        var spec = Spec(CrdGenerator.Generate(typeof(V1Alpha1ScheduledTask)));

        Assert.Equal(["schedule", "template"], spec.Required);
        Assert.Equal(["Allow", "Forbid", "Replace"], spec.Properties["concurrencyPolicy"].EnumProperty.Cast<string>());
        Assert.Equal(3L, Convert.ToInt64(spec.Properties["successfulHistoryLimit"].DefaultProperty));
        var template = spec.Properties["template"].Properties["spec"];
        Assert.Equal(Spec(CrdGenerator.Generate(typeof(V1Alpha1DiagnosticCommand))).Properties.Keys.Order(), template.Properties.Keys.Order());
    }
}
