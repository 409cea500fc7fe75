using System.Text;
using System.Text.Json;
using k8s;
using Ops.Demo;
using Ops.Operator.Api.V1Alpha1;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests.Security;

/// <summary>
/// The credentials Ops holds — the CA's and the agents' private keys (in Secrets) and the API token it
/// runs with — appear in none of the operator's or agents' logs, and in no status or Event, after the
/// whole suite (this collection runs last) and a succeeding, a failing and a refused command here.
/// </summary>
[Collection(nameof(ClusterWideCollection))]
public sealed class SecretLeakTests(ClusterFixture cluster)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_private_key_or_token_appears_in_logs_statuses_or_events()
    {
        var ns = await cluster.CreateNamespaceAsync("secrets");
        await Commands.CreateAsync(cluster.Client, DemoCluster.OpsNamespace, $"ok-{ns}", Commands.OnNodes("processes"));
        await Commands.CreateAsync(cluster.Client, DemoCluster.OpsNamespace, $"failing-{ns}", Commands.OnNodes("check.tcp", new() { ["host"] = "127.0.0.1", ["port"] = "1" }));
        await Commands.CreateAsync(cluster.Client, ns, $"refused-{ns}", Commands.OnNodes("processes"));
        await Commands.FinishedAsync(cluster.Client, DemoCluster.OpsNamespace, $"ok-{ns}");
        await Commands.FinishedAsync(cluster.Client, DemoCluster.OpsNamespace, $"failing-{ns}");
        await Commands.FinishedAsync(cluster.Client, ns, $"refused-{ns}");

        var secrets = await SecretsAsync();
        var places = await PlacesAsync();

        Assert.True(secrets.Count >= 3, $"only {secrets.Count} secrets to look for");
        Assert.True(places.Keys.Count(k => k.StartsWith("log ", StringComparison.Ordinal)) >= 4, $"logs read: {string.Join(", ", places.Keys)}");
        Assert.Contains(places, p => p.Key.StartsWith("log ops-operator", StringComparison.Ordinal) && p.Value.Contains("Reconcil", StringComparison.Ordinal));
        var leaks = (from place in places
                     from secret in secrets
                     where secret.Needles.Any(n => place.Value.Contains(n, StringComparison.Ordinal))
                     select $"{secret.Name} in {place.Key}").ToList();
        Assert.True(leaks.Count == 0, $"secrets found: {string.Join("; ", leaks)}");
    }

    private sealed record Secret(string Name, IReadOnlyList<string> Needles);

    /// <summary>Each private key as its PEM body, its lines, and as base64 of the PEM (how a Secret object carries it); the kubeconfig's token.</summary>
    private async Task<List<Secret>> SecretsAsync()
    {
        var found = new List<Secret>();
        foreach (var secret in (await cluster.Client.CoreV1.ListNamespacedSecretAsync(DemoCluster.OpsNamespace, cancellationToken: _ct)).Items)
        {
            foreach (var (key, bytes) in secret.Data ?? new Dictionary<string, byte[]>())
            {
                var text = Encoding.UTF8.GetString(bytes);
                if (!text.Contains("PRIVATE KEY", StringComparison.Ordinal)) continue;
                var body = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal)).ToList();
                found.Add(new Secret($"Secret {secret.Metadata.Name} {key}", [string.Concat(body), .. body.Where(l => l.Length >= 40), Convert.ToBase64String(bytes)[40..100]]));
            }
        }
        var token = File.ReadAllLines(cluster.KubeconfigPath).Select(l => l.Trim()).Single(l => l.StartsWith("token:", StringComparison.Ordinal))["token:".Length..].Trim();
        Assert.True(token.Length >= 16, "the kubeconfig's token is too short to look for");
        found.Add(new Secret("the API token", [token]));
        return found;
    }

    /// <summary>Every container log in the Ops namespace, every Ops resource (status included), every Event.</summary>
    private async Task<Dictionary<string, string>> PlacesAsync()
    {
        var places = new Dictionary<string, string>();
        foreach (var pod in (await cluster.Client.CoreV1.ListNamespacedPodAsync(DemoCluster.OpsNamespace, cancellationToken: _ct)).Items)
        {
            foreach (var container in pod.Spec.Containers)
            {
                await using var log = await cluster.Client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, DemoCluster.OpsNamespace, container: container.Name, cancellationToken: _ct);
                places[$"log {pod.Metadata.Name}/{container.Name}"] = await new StreamReader(log).ReadToEndAsync(_ct);
                // A log is one per start, as a kubelet keeps them: the run before a restart is read too.
                if (pod.Status?.ContainerStatuses?.FirstOrDefault(s => s.Name == container.Name) is { RestartCount: > 0 })
                {
                    await using var previous = await cluster.Client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, DemoCluster.OpsNamespace, container: container.Name, previous: true, cancellationToken: _ct);
                    places[$"previous log {pod.Metadata.Name}/{container.Name}"] = await new StreamReader(previous).ReadToEndAsync(_ct);
                }
            }
        }
        foreach (var plural in new[] { V1Alpha1DiagnosticCommand.Plural, V1Alpha1ScheduledTask.Plural, V1Alpha1AgentVersion.Plural })
        {
            var all = await cluster.Client.CustomObjects.ListClusterCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, plural, cancellationToken: _ct);
            places[plural] = JsonSerializer.Serialize(all);
        }
        places["events"] = KubernetesJson.Serialize(await cluster.Client.CoreV1.ListEventForAllNamespacesAsync(cancellationToken: _ct));
        return places;
    }
}
