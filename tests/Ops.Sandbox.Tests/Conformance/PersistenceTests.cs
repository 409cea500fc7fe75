using System.Text.Json;
using k8s;
using Ops.Operator.Api.V1Alpha1;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Conformance;

public sealed class PersistenceTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_sandbox_restarted_on_its_data_directory_keeps_objects_versions_and_credentials()
    {
        var directory = TestWorkspace.CreateDirectory("data-");
        try
        {
            var options = new SandboxOptions { DataDirectory = directory };
            string uid, resourceVersion, token;
            await using (var first = await SandboxFixture.StartAsync(options))
            {
                using var client = SandboxFixture.CreateClient(first);
                var created = await Resources.Commands(client).CreateNamespacedAsync(Resources.Command("kept"), "default", _ct);
                await client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("gone"), "default", cancellationToken: _ct);
                await client.CoreV1.DeleteNamespacedConfigMapAsync("gone", "default", cancellationToken: _ct);
                (uid, resourceVersion, token) = (created.Metadata.Uid, created.Metadata.ResourceVersion, first.Token);
            }

            await using var second = await SandboxFixture.StartAsync(options);
            using var again = SandboxFixture.CreateClient(second);
            var kept = await Resources.Commands(again).ReadNamespacedAsync<V1Alpha1DiagnosticCommand>("default", "kept", _ct);
            Assert.Equal(uid, kept.Metadata.Uid);
            Assert.Equal(resourceVersion, kept.Metadata.ResourceVersion);
            Assert.Equal(token, second.Token);
            Assert.DoesNotContain((await again.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: _ct)).Items, c => c.Metadata.Name == "gone");

            var next = await again.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("after"), "default", cancellationToken: _ct);
            Assert.True(long.Parse(next.Metadata.ResourceVersion) > long.Parse(resourceVersion));

            // The change history did not survive: resuming a watch from before the restart is 410.
            using var http = SandboxHttp.Create(second);
            using var response = await http.GetAsync($"/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=1", HttpCompletionOption.ResponseHeadersRead, _ct);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_ct));
            var line = await reader.ReadLineAsync(_ct);
            Assert.Equal(410, JsonDocument.Parse(line!).RootElement.GetProperty("object").GetProperty("code").GetInt32());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
