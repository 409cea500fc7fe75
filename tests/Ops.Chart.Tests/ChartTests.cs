using Ops.Sandbox.Charts;
using k8s;
using k8s.Models;
using Ops.TestSupport;

namespace Ops.Chart.Tests;

/// <summary>charts/ops without Helm: it renders with its own values, every document is a valid object, and it installs what the issue asks for.</summary>
public sealed class ChartTests
{
    private static readonly Dictionary<string, string> Everything = new()
    {
        ["metrics.serviceMonitor.enabled"] = "true", ["metrics.podMonitor.enabled"] = "true", ["prometheusRule.enabled"] = "true",
    };

    private static List<(string Template, Dictionary<object, object> Document)> Documents(IReadOnlyDictionary<string, string>? overrides = null) =>
        [.. new ChartRenderer(RepositoryPaths.Chart).RenderAll(overrides)
            .SelectMany(t => t.Value.Split("\n---", StringSplitOptions.RemoveEmptyEntries).Select(d => (t.Key, Yaml: d)))
            .Select(d => (d.Key, ChartRenderer.LoadYaml(d.Yaml) as Dictionary<object, object>))
            .Where(d => d.Item2 is not null)
            .Select(d => (d.Key, d.Item2!))];

    private static T Typed<T>(IEnumerable<(string Template, Dictionary<object, object> Document)> documents, string kind, string? name = null) =>
        KubernetesYaml.Deserialize<T>(new YamlDotNet.Serialization.SerializerBuilder().Build().Serialize(
            documents.Single(d => (string)d.Document["kind"] == kind && (name is null || (string)((Dictionary<object, object>)d.Document["metadata"])["name"] == name)).Document));

    [Fact]
    public void Every_template_renders_with_the_default_values_into_objects_with_a_kind_and_a_name()
    {
        var documents = Documents();

        Assert.All(documents, d =>
        {
            Assert.True(d.Document.ContainsKey("apiVersion") && d.Document.ContainsKey("kind"), $"{d.Template}: a document without apiVersion or kind");
            Assert.NotNull(((Dictionary<object, object>)d.Document["metadata"])["name"]);
        });
        Assert.Equal(["ClusterRole", "ClusterRoleBinding", "ConfigMap", "DaemonSet", "Deployment", "DiagnosticPolicy", "MutatingWebhookConfiguration", "PriorityClass", "Role", "Role", "RoleBinding", "Service", "ServiceAccount", "ServiceAccount", "ValidatingWebhookConfiguration"],
            documents.Select(d => (string)d.Document["kind"]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_admission_webhooks_call_the_operators_tls_port_and_leave_the_ca_bundle_to_the_operator()
    {
        var documents = Documents(new Dictionary<string, string> { [@"admissionWebhooks.namespaceSelector.matchLabels.ops\.dev/admission"] = "on" });
        var validating = Typed<V1ValidatingWebhookConfiguration>(documents, "ValidatingWebhookConfiguration").Webhooks.Single();
        var mutating = Typed<V1MutatingWebhookConfiguration>(documents, "MutatingWebhookConfiguration").Webhooks.Single();
        var operatorEnv = Typed<V1Deployment>(documents, "Deployment").Spec.Template.Spec.Containers[0].Env.ToDictionary(e => e.Name, e => e.Value);
        var disabled = Documents(new Dictionary<string, string> { ["admissionWebhooks.enabled"] = "false" });

        Assert.Equal(("ops-operator", "ops-system", 8443, "/admission/validate"), (validating.ClientConfig.Service.Name, validating.ClientConfig.Service.NamespaceProperty, validating.ClientConfig.Service.Port, validating.ClientConfig.Service.Path));
        Assert.Equal("/admission/mutate", mutating.ClientConfig.Service.Path);
        Assert.Equal(("Ignore", 5, "None"), (validating.FailurePolicy, validating.TimeoutSeconds, validating.SideEffects));
        Assert.Equal(["CREATE", "UPDATE"], validating.Rules.Single().Operations);
        Assert.Equal(["CREATE"], mutating.Rules.Single().Operations);
        Assert.Null(validating.ClientConfig.CaBundle);
        Assert.Equal("request.userInfo.username != 'system:serviceaccount:ops-system:ops-operator'", Assert.Single(validating.MatchConditions).Expression);
        Assert.Equal(validating.MatchConditions.Single().Expression, Assert.Single(mutating.MatchConditions).Expression);
        Assert.Equal("on", validating.NamespaceSelector.MatchLabels["ops.dev/admission"]);
        Assert.Equal("ops-operator", operatorEnv["Operator__AdmissionWebhooks"]);
        Assert.DoesNotContain(disabled, d => ((string)d.Document["kind"]).EndsWith("WebhookConfiguration", StringComparison.Ordinal));
        Assert.DoesNotContain("Operator__AdmissionWebhooks", Typed<V1Deployment>(disabled, "Deployment").Spec.Template.Spec.Containers[0].Env.Select(e => e.Name));
        Assert.DoesNotContain(Typed<V1ClusterRole>(disabled, "ClusterRole").Rules, r => r.ApiGroups.Contains("admissionregistration.k8s.io"));
    }

    [Fact]
    public void The_optional_monitoring_objects_render_when_enabled_and_the_rule_is_the_rules_file()
    {
        var documents = Documents(Everything);

        Assert.Contains(documents, d => (string)d.Document["kind"] == "ServiceMonitor");
        Assert.Contains(documents, d => (string)d.Document["kind"] == "PodMonitor");
        var rule = documents.Single(d => (string)d.Document["kind"] == "PrometheusRule").Document;
        var file = (Dictionary<object, object>)ChartRenderer.LoadYaml(File.ReadAllText(Path.Combine(RepositoryPaths.Chart, "rules", "ops-alerts.yaml")))!;
        Assert.Equal(Serialize(file["groups"]), Serialize(((Dictionary<object, object>)rule["spec"])["groups"]));
    }

    [Fact]
    public void Every_value_in_values_yaml_is_read_by_a_template_and_documented_in_the_chart_readme()
    {
        var renderer = new ChartRenderer(RepositoryPaths.Chart);
        renderer.RenderAll(Everything);
        var leaves = Leaves((Dictionary<object, object>)ChartRenderer.LoadYaml(File.ReadAllText(Path.Combine(RepositoryPaths.Chart, "values.yaml")))!, "").ToList();
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Chart, "README.md"));

        var unread = leaves.Where(leaf => !renderer.UsedValues.Any(used => leaf == used || leaf.StartsWith(used + ".", StringComparison.Ordinal))).ToList();
        var undocumented = leaves.Where(leaf => !readme.Contains($"`{leaf}`", StringComparison.Ordinal)
            && !renderer.UsedValues.Any(u => leaf.StartsWith(u + ".", StringComparison.Ordinal) && readme.Contains($"`{u}`", StringComparison.Ordinal))).ToList();
        Assert.True(unread.Count == 0, $"values no template reads: {string.Join(", ", unread)}");
        Assert.True(undocumented.Count == 0, $"values charts/ops/README.md does not describe: {string.Join(", ", undocumented)}");
    }

    [Fact]
    public void The_chart_crds_are_the_generated_ones()
    {
        var chartCrds = Directory.GetFiles(Path.Combine(RepositoryPaths.Chart, "crds")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Directory.GetFiles(RepositoryPaths.Crds).Select(Path.GetFileName).Order(StringComparer.Ordinal), chartCrds);
        Assert.All(chartCrds, name => Assert.True(File.ReadAllText(Path.Combine(RepositoryPaths.Crds, name!)) == File.ReadAllText(Path.Combine(RepositoryPaths.Chart, "crds", name!)),
            $"charts/ops/crds/{name} differs from crds/{name}: copy crds/*.yaml into charts/ops/crds/"));
    }

    [Fact]
    public void The_operator_runs_two_leader_elected_non_root_replicas_with_probes_and_a_read_only_root()
    {
        var deployment = Typed<V1Deployment>(Documents(), "Deployment");
        var container = deployment.Spec.Template.Spec.Containers.Single();

        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.True(deployment.Spec.Template.Spec.SecurityContext.RunAsNonRoot);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
        Assert.Equal(("/healthz", "/readyz"), (container.LivenessProbe.HttpGet.Path, container.ReadinessProbe.HttpGet.Path));
        Assert.NotNull(container.Resources.Requests["memory"]);
        Assert.Contains(container.Env, e => e.Name == "Operator__LeaseName");
    }

    [Fact]
    public void The_agent_runs_on_every_node_in_the_host_pid_namespace_with_no_api_token_and_only_its_own_mounts()
    {
        var daemonSet = Typed<V1DaemonSet>(Documents(), "DaemonSet");
        var pod = daemonSet.Spec.Template.Spec;

        Assert.True(pod.HostPID);
        Assert.NotEqual(true, pod.HostNetwork);
        Assert.False(pod.AutomountServiceAccountToken);
        Assert.Equal("OnDelete", daemonSet.Spec.UpdateStrategy.Type);
        Assert.Contains(pod.Tolerations, t => t.OperatorProperty == "Exists" && t.Key is null && t.Effect is null);
        Assert.Equal("ops-agent", pod.PriorityClassName);
        Assert.Equal(["data", "tls", "tmp"], pod.Volumes.Select(v => v.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["/var/lib/ops-agent"], pod.Volumes.Where(v => v.HostPath is not null).Select(v => v.HostPath.Path));
        Assert.Equal(["DAC_OVERRIDE", "SETGID", "SETUID", "SYS_PTRACE"], pod.Containers.Single().SecurityContext.Capabilities.Add.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(Documents(), d => (string)d.Document["kind"] is "ClusterRoleBinding" or "RoleBinding"
            && Serialize(d.Document).Contains("name: ops-agent", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_object_carries_Helms_standard_labels()
    {
        Assert.All(Documents(Everything), d =>
        {
            var labels = (Dictionary<object, object>)((Dictionary<object, object>)d.Document["metadata"])["labels"];
            Assert.Equal("ops-0.1.0", labels["helm.sh/chart"]);
            Assert.Equal("Helm", labels["app.kubernetes.io/managed-by"]);
            Assert.Equal("ops", labels["app.kubernetes.io/instance"]);
            Assert.Equal("1.0.0", labels["app.kubernetes.io/version"]);
        });
    }

    [Theory]
    [InlineData("operator.replicas", "two", "- operator.replicas: Invalid type. Expected: integer, given: string")]
    [InlineData("agent.port", "70000", "- agent.port: Must be less than or equal to 65535")]
    [InlineData("agent.image.pullPolicy", "Sometimes", "- agent.image.pullPolicy: agent.image.pullPolicy must be one of the following: \"Always\", \"IfNotPresent\", \"Never\"")]
    [InlineData("operator.agentGrace", "30s", "- operator.agentGrace: Does not match pattern")]
    [InlineData("operater.replicas", "2", "- (root): Additional property operater is not allowed")]
    public void Values_the_schema_refuses_stop_the_render_with_their_path_as_helm_install_does(string path, string value, string message)
    {
        var error = Assert.Throws<FormatException>(() => new ChartRenderer(RepositoryPaths.Chart).RenderAll(new Dictionary<string, string> { [path] = value }));

        Assert.StartsWith("values don't meet the specifications of the schema(s) in the following chart(s):\nops:\n", error.Message);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void The_schema_accepts_the_default_values_the_sandbox_values_and_every_optional_object()
    {
        Assert.Empty(ValuesSchema.Check(RepositoryPaths.Chart, ChartValues.Load(RepositoryPaths.Chart)));
        Assert.Empty(ValuesSchema.Check(RepositoryPaths.Chart, ChartValues.Load(RepositoryPaths.Chart, [Path.Combine(RepositoryPaths.Root, "sandbox", "Ops.Demo", "values-sandbox.yaml")], Everything)));
    }

    private static string Serialize(object? value) => new YamlDotNet.Serialization.SerializerBuilder().Build().Serialize(value);

    private static IEnumerable<string> Leaves(Dictionary<object, object> map, string prefix)
    {
        foreach (var (key, value) in map)
        {
            var path = prefix.Length == 0 ? (string)key : $"{prefix}.{key}";
            if (value is Dictionary<object, object> { Count: > 0 } child) foreach (var leaf in Leaves(child, path)) yield return leaf;
            else yield return path;
        }
    }
}
