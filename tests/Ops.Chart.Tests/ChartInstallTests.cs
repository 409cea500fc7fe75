using k8s;
using Ops.Sandbox.Charts;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.Chart.Tests;

/// <summary>Everything the chart renders, every optional object enabled, is accepted by an API server (the sandbox), as helm install would apply it.</summary>
public sealed class ChartInstallTests
{
    [Fact]
    public async Task The_whole_chart_with_monitoring_installs_once_the_monitoring_crds_exist()
    {
        await using var server = await SandboxFixture.StartAsync(new SandboxOptions { ManifestDirectories = [Path.Combine(AppContext.BaseDirectory, "MonitoringCrds")] });
        server.ApplyYaml("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ops-system\n");
        var manifest = new ChartRenderer(RepositoryPaths.Chart).RenderManifest(new Dictionary<string, string>
        {
            ["metrics.serviceMonitor.enabled"] = "true", ["metrics.podMonitor.enabled"] = "true", ["prometheusRule.enabled"] = "true",
        });

        var applied = server.ApplyYaml(manifest);

        Assert.Equal(
        [
            "priorityclasses.scheduling.k8s.io/ops-agent", "serviceaccounts/ops-agent", "serviceaccounts/ops-operator", "configmaps/ops-dashboard",
            "clusterroles.rbac.authorization.k8s.io/ops-operator", "clusterrolebindings.rbac.authorization.k8s.io/ops-operator",
            "roles.rbac.authorization.k8s.io/ops-artifact-download", "roles.rbac.authorization.k8s.io/ops-operator", "rolebindings.rbac.authorization.k8s.io/ops-operator", "services/ops-operator",
            "daemonsets.apps/ops-agent", "deployments.apps/ops-operator",
            "servicemonitors.monitoring.coreos.com/ops-operator", "podmonitors.monitoring.coreos.com/ops-agent", "prometheusrules.monitoring.coreos.com/ops-alerts",
            "diagnosticpolicies.ops.dev/ops-platform",
            "mutatingwebhookconfigurations.admissionregistration.k8s.io/ops-operator", "validatingwebhookconfigurations.admissionregistration.k8s.io/ops-operator",
        ], applied);
        using var client = SandboxFixture.CreateClient(server);
        var rule = await client.CustomObjects.GetNamespacedCustomObjectAsync<System.Text.Json.Nodes.JsonObject>("monitoring.coreos.com", "v1", "ops-system", "prometheusrules", "ops-alerts", cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotEmpty(rule["spec"]!["groups"]!.AsArray());
    }

    [Fact]
    public async Task Without_the_monitoring_crds_the_monitors_are_refused_as_helm_would_be()
    {
        await using var server = await SandboxFixture.StartAsync(new SandboxOptions());
        server.ApplyYaml("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ops-system\n");
        var manifest = new ChartRenderer(RepositoryPaths.Chart).RenderManifest(new Dictionary<string, string> { ["metrics.serviceMonitor.enabled"] = "true" });

        var error = Assert.Throws<InvalidOperationException>(() => server.ApplyYaml(manifest));

        Assert.Contains("no resource serves monitoring.coreos.com/v1 ServiceMonitor", error.Message);
    }
}
