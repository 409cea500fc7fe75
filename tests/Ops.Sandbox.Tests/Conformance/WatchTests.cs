using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Conformance;

public sealed class WatchTests(SandboxFixture sandbox)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    /// <summary>Reads raw watch lines so BOOKMARK and ERROR events are seen exactly as sent.</summary>
    private static async Task<List<JsonElement>> ReadEventsAsync(HttpClient http, string url, int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Timeouts.WatchEvent);
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var events = new List<JsonElement>();
        try
        {
            while (events.Count < count && await reader.ReadLineAsync(cts.Token) is { } line)
            {
                if (line.Length > 0) events.Add(JsonDocument.Parse(line).RootElement.Clone());
            }
        }
        catch (OperationCanceledException)
        {
        }
        return events;
    }

    private static string TypeOf(JsonElement e) => e.GetProperty("type").GetString()!;

    private static string NameOf(JsonElement e) => e.GetProperty("object").GetProperty("metadata").GetProperty("name").GetString()!;

    [Fact]
    public async Task A_watch_resumes_after_a_resource_version_with_every_later_change_in_order()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var first = await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("a"), ns, cancellationToken: _ct);
        await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("b"), ns, cancellationToken: _ct);
        await sandbox.Client.CoreV1.DeleteNamespacedConfigMapAsync("a", ns, cancellationToken: _ct);

        using var http = SandboxHttp.Create(sandbox.Server);
        var events = await ReadEventsAsync(http, $"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={first.Metadata.ResourceVersion}", 2);

        Assert.Equal(["ADDED:b", "DELETED:a"], events.Select(e => $"{TypeOf(e)}:{NameOf(e)}"));
    }

    [Fact]
    public async Task A_watch_answers_with_its_headers_before_any_event()
    {
        // A real API server flushes the headers at once; clients (our informer) depend on that to
        // tell a quiet watch from a stuck request.
        var ns = await sandbox.CreateNamespaceAsync();
        var list = await sandbox.Client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: _ct);
        using var http = SandboxHttp.Create(sandbox.Server);
        using var cts = new CancellationTokenSource(Timeouts.WatchEvent);

        using var response = await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={list.Metadata.ResourceVersion}",
            HttpCompletionOption.ResponseHeadersRead, cts.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task KubernetesClient_watch_sees_live_changes()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var list = await sandbox.Client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: _ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        cts.CancelAfter(Timeouts.WatchEvent);
        var seen = new List<string>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, item) in sandbox.Client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token))
            {
                seen.Add($"{type}:{item.Metadata.Name}");
                if (seen.Count == 3) break;
            }
        }, _ct);

        await Task.Delay(200, _ct);
        await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("live"), ns, cancellationToken: _ct);
        await sandbox.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"v2"}}""", V1Patch.PatchType.MergePatch), "live", ns, cancellationToken: _ct);
        await sandbox.Client.CoreV1.DeleteNamespacedConfigMapAsync("live", ns, cancellationToken: _ct);
        await watching;

        Assert.Equal(["Added:live", "Modified:live", "Deleted:live"], seen);
    }

    [Fact]
    public async Task A_watch_from_before_the_kept_history_gets_410_Expired()
    {
        await using var small = await SandboxFixture.StartAsync(new SandboxOptions { HistoryCapacity = 5 });
        using var client = SandboxFixture.CreateClient(small);
        var first = await client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("c0"), "default", cancellationToken: _ct);
        for (var i = 1; i <= 10; i++) await client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap($"c{i}"), "default", cancellationToken: _ct);

        using var http = SandboxHttp.Create(small);
        var events = await ReadEventsAsync(http, $"/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={first.Metadata.ResourceVersion}", 1);

        var error = Assert.Single(events);
        Assert.Equal("ERROR", TypeOf(error));
        Assert.Equal(410, error.GetProperty("object").GetProperty("code").GetInt32());
        Assert.Equal("Expired", error.GetProperty("object").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Bookmarks_carry_the_current_resource_version_when_asked_for()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var created = await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("a"), ns, cancellationToken: _ct);

        using var http = SandboxHttp.Create(sandbox.Server);
        var events = await ReadEventsAsync(http, $"/api/v1/namespaces/{ns}/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion={created.Metadata.ResourceVersion}", 1);

        var bookmark = Assert.Single(events);
        Assert.Equal("BOOKMARK", TypeOf(bookmark));
        Assert.Equal("ConfigMap", bookmark.GetProperty("object").GetProperty("kind").GetString());
        Assert.True(long.Parse(bookmark.GetProperty("object").GetProperty("metadata").GetProperty("resourceVersion").GetString()!) >= long.Parse(created.Metadata.ResourceVersion));
    }

    [Fact]
    public async Task TimeoutSeconds_ends_the_stream()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        using var http = SandboxHttp.Create(sandbox.Server);
        var started = DateTime.UtcNow;

        var now = (await sandbox.Client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: _ct)).Metadata.ResourceVersion;
        var events = await ReadEventsAsync(http, $"/api/v1/namespaces/{ns}/configmaps?watch=true&timeoutSeconds=1&resourceVersion={now}", 100, TimeSpan.FromSeconds(15));

        Assert.Empty(events);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "the watch did not end at its timeout");
    }

    [Fact]
    public async Task An_object_leaving_the_label_selector_is_seen_as_DELETED_and_entering_it_as_ADDED()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var created = await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("sel", new() { ["tier"] = "web" }), ns, cancellationToken: _ct);
        await sandbox.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"labels":{"tier":"db"}}}""", V1Patch.PatchType.MergePatch), "sel", ns, cancellationToken: _ct);
        await sandbox.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"labels":{"tier":"web"}}}""", V1Patch.PatchType.MergePatch), "sel", ns, cancellationToken: _ct);

        using var http = SandboxHttp.Create(sandbox.Server);
        var events = await ReadEventsAsync(http, $"/api/v1/namespaces/{ns}/configmaps?watch=true&labelSelector=tier%3Dweb&resourceVersion={created.Metadata.ResourceVersion}", 2);

        Assert.Equal(["DELETED", "ADDED"], events.Select(TypeOf));
    }

    [Fact]
    public async Task A_watch_without_a_version_starts_with_the_current_objects()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("existing"), ns, cancellationToken: _ct);

        using var http = SandboxHttp.Create(sandbox.Server);
        var events = await ReadEventsAsync(http, $"/api/v1/namespaces/{ns}/configmaps?watch=true&fieldSelector=metadata.name%3Dexisting", 1);

        Assert.Equal("ADDED:existing", $"{TypeOf(events.Single())}:{NameOf(events.Single())}");
    }

    [Fact]
    public async Task SendInitialEvents_ends_the_initial_list_with_an_annotated_bookmark()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("one"), ns, cancellationToken: _ct);

        using var http = SandboxHttp.Create(sandbox.Server);
        var events = await ReadEventsAsync(http, $"/api/v1/namespaces/{ns}/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true", 3);

        // "one", and the namespace's kube-root-ca.crt.
        Assert.Equal(["ADDED", "ADDED", "BOOKMARK"], events.Select(TypeOf));
        Assert.Equal("true", events[2].GetProperty("object").GetProperty("metadata").GetProperty("annotations").GetProperty("k8s.io/initial-events-end").GetString());
    }
}
