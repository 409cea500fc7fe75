using System.Net;
using System.Text;
using System.Text.Json;
using k8s;
using Ops.Sandbox.Tests.Conformance;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests;

/// <summary>
/// Bad input of every kind gets a clear 4xx Status, never a 5xx or a crash, and never changes or
/// loses a stored object.
/// </summary>
public sealed class HostileInputTests(SandboxFixture sandbox)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private static readonly string[] MediaTypes =
        ["application/json", "application/merge-patch+json", "application/json-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"];

    private async Task<Dictionary<string, string>> SnapshotAsync(string ns)
    {
        using var http = SandboxHttp.Create(sandbox.Server);
        var state = new Dictionary<string, string>();
        foreach (var path in new[] { $"/api/v1/namespaces/{ns}/configmaps", $"/apis/ops.dev/v1alpha1/namespaces/{ns}/diagnosticcommands" })
        {
            var list = JsonDocument.Parse(await http.GetStringAsync(path, _ct)).RootElement;
            foreach (var item in list.GetProperty("items").EnumerateArray()) state[path + "/" + item.GetProperty("metadata").GetProperty("name").GetString()] = item.GetRawText();
        }
        return state;
    }

    private async Task<string> SeedAsync()
    {
        var ns = await sandbox.CreateNamespaceAsync("hostile");
        await sandbox.Client.CoreV1.CreateNamespacedConfigMapAsync(Resources.ConfigMap("keep"), ns, cancellationToken: _ct);
        await Resources.Commands(sandbox.Client).CreateNamespacedAsync(Resources.Command("keep"), ns, _ct);
        return ns;
    }

    private static async Task<JsonElement> ExpectClientErrorAsync(HttpResponseMessage response, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{what}: expected a 4xx, got {(int)response.StatusCode}: {body}");
        var status = JsonDocument.Parse(body).RootElement;
        Assert.Equal("Status", status.GetProperty("kind").GetString());
        Assert.Equal((int)response.StatusCode, status.GetProperty("code").GetInt32());
        Assert.False(string.IsNullOrEmpty(status.GetProperty("message").GetString()), $"{what}: the Status has no message");
        return status;
    }

    [Fact]
    public async Task Malformed_bodies_unknown_kinds_and_bad_patches_are_4xx_and_change_nothing()
    {
        var ns = await SeedAsync();
        var before = await SnapshotAsync(ns);
        using var http = SandboxHttp.Create(sandbox.Server);
        var cm = $"/api/v1/namespaces/{ns}/configmaps";
        var cmd = $"/apis/ops.dev/v1alpha1/namespaces/{ns}/diagnosticcommands";
        var cases = new (string What, HttpMethod Method, string Path, string Body, string Type, HttpStatusCode Expected)[]
        {
            ("truncated JSON", HttpMethod.Post, cm, """{"metadata":{"name":""", "application/json", HttpStatusCode.BadRequest),
            ("a JSON array", HttpMethod.Post, cm, "[1,2,3]", "application/json", HttpStatusCode.BadRequest),
            ("a bare string", HttpMethod.Put, cm + "/keep", "\"hello\"", "application/json", HttpStatusCode.BadRequest),
            ("the wrong kind", HttpMethod.Put, cm + "/keep", """{"kind":"Secret","apiVersion":"v1","metadata":{"name":"keep"}}""", "application/json", HttpStatusCode.BadRequest),
            ("another name than the URL's", HttpMethod.Put, cm + "/keep", """{"metadata":{"name":"other"}}""", "application/json", HttpStatusCode.BadRequest),
            ("metadata that is not an object", HttpMethod.Post, cm, """{"metadata":"x"}""", "application/json", HttpStatusCode.BadRequest),
            ("labels that are not strings", HttpMethod.Post, cm, """{"metadata":{"name":"l","labels":{"a":{"b":1}}}}""", "application/json", HttpStatusCode.BadRequest),
            ("a label value that is not a valid label", HttpMethod.Post, cm, """{"metadata":{"name":"l","labels":{"a":"not valid!"}}}""", "application/json", HttpStatusCode.UnprocessableEntity),
            ("an unknown resource", HttpMethod.Post, $"/api/v1/namespaces/{ns}/gadgets", "{}", "application/json", HttpStatusCode.NotFound),
            ("an unknown group", HttpMethod.Get, "/apis/nope.dev/v1/things", "", "application/json", HttpStatusCode.NotFound),
            ("an unknown subresource", HttpMethod.Get, cm + "/keep/scale", "", "application/json", HttpStatusCode.NotFound),
            ("a json patch that is not a list", HttpMethod.Patch, cm + "/keep", """{"op":"add"}""", "application/json-patch+json", HttpStatusCode.BadRequest),
            ("a json patch to a missing path", HttpMethod.Patch, cm + "/keep", """[{"op":"remove","path":"/data/nothing/here"}]""", "application/json-patch+json", HttpStatusCode.UnprocessableEntity),
            ("a json patch with an unknown op", HttpMethod.Patch, cm + "/keep", """[{"op":"explode","path":"/data"}]""", "application/json-patch+json", HttpStatusCode.BadRequest),
            ("a merge patch that replaces the object", HttpMethod.Patch, cm + "/keep", "[]", "application/merge-patch+json", HttpStatusCode.UnprocessableEntity),
            ("a merge patch that renames", HttpMethod.Patch, cmd + "/keep", """{"metadata":{"name":"renamed"}}""", "application/merge-patch+json", HttpStatusCode.BadRequest),
            ("a patch of an unknown media type", HttpMethod.Patch, cm + "/keep", "{}", "text/plain", HttpStatusCode.UnsupportedMediaType),
            ("apply YAML that does not parse", HttpMethod.Patch, cmd + "/keep?fieldManager=x", "a: [b", "application/apply-patch+yaml", HttpStatusCode.BadRequest),
            ("a protobuf body", HttpMethod.Post, cm, "\u000a\u0003abc", "application/vnd.kubernetes.protobuf", HttpStatusCode.UnsupportedMediaType),
            ("a spec that breaks the schema", HttpMethod.Patch, cmd + "/keep", """{"spec":{"parallelism":-4}}""", "application/merge-patch+json", HttpStatusCode.UnprocessableEntity),
            ("an invalid dryRun", HttpMethod.Post, cm + "?dryRun=Maybe", """{"metadata":{"name":"d"}}""", "application/json", HttpStatusCode.BadRequest),
            ("an invalid limit", HttpMethod.Get, cm + "?limit=-3", "", "application/json", HttpStatusCode.BadRequest),
            ("an invalid watch version", HttpMethod.Get, cm + "?watch=1&resourceVersion=yesterday", "", "application/json", HttpStatusCode.BadRequest),
            ("a namespace that cannot exist", HttpMethod.Get, "/api/v1/namespaces/Not_Valid/configmaps/x", "", "application/json", HttpStatusCode.NotFound),
        };

        foreach (var (what, method, path, body, type, expected) in cases)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body.Length > 0) request.Content = new StringContent(body, Encoding.UTF8, type);
            using var response = await http.SendAsync(request, _ct);
            await ExpectClientErrorAsync(response, what);
            Assert.True(expected == response.StatusCode, $"{what}: expected {(int)expected}, got {(int)response.StatusCode}");
        }

        Assert.Equal(before, await SnapshotAsync(ns));
    }

    [Theory]
    [InlineData("""{"metadata":{"name":5}}""")]
    [InlineData("""{"metadata":{"name":"a","namespace":7}}""")]
    [InlineData("""{"metadata":{"generateName":[1]}}""")]
    [InlineData("""{"metadata":{"name":"b","finalizers":{"a":1}}}""")]
    [InlineData("""{"metadata":{"name":"c","ownerReferences":"x"}}""")]
    [InlineData("""{"metadata":{"name":"d","ownerReferences":[{"uid":5}]}}""")]
    [InlineData("""{"metadata":{"name":"e","resourceVersion":3}}""")]
    [InlineData("""{"metadata":{"name":"g","annotations":"x"}}""")]
    [InlineData("""{"metadata":{"name":"h","deletionTimestamp":1}}""")]
    [InlineData("""{"metadata":{"name":"i","uid":{}}}""")]
    [InlineData("""{"metadata":{"name":"j","labels":{"a":null}}}""")]
    [InlineData("""{"metadata":{"name":"m","finalizers":[1]}}""")]
    [InlineData("""{"metadata":{"name":"k","generation":"one"}}""")]
    [InlineData("""{"kind":5,"metadata":{"name":"l"}}""")]
    public async Task Wrongly_typed_metadata_is_400_and_never_stored(string body)
    {
        var ns = await SeedAsync();
        var before = await SnapshotAsync(ns);
        using var http = SandboxHttp.Create(sandbox.Server);

        using var created = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", new StringContent(body, Encoding.UTF8, "application/json"), _ct);

        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        await ExpectClientErrorAsync(created, body);
        Assert.Equal(before, await SnapshotAsync(ns));
    }

    [Theory]
    [InlineData("""{"kind":5}""", "application/merge-patch+json")]
    [InlineData("""{"kind":"Secret"}""", "application/merge-patch+json")]
    [InlineData("""{"apiVersion":"v2"}""", "application/merge-patch+json")]
    [InlineData("""{"metadata":{"finalizers":{"a":1}}}""", "application/merge-patch+json")]
    [InlineData("""{"metadata":{"ownerReferences":"x"}}""", "application/merge-patch+json")]
    [InlineData("""{"metadata":{"labels":{"a":5}}}""", "application/merge-patch+json")]
    [InlineData("""{"metadata":{"resourceVersion":3}}""", "application/merge-patch+json")]
    [InlineData("""[{"op":"add","path":"/metadata/annotations","value":[1]}]""", "application/json-patch+json")]
    [InlineData("""{"metadata":{"finalizers":[{"x":1}]}}""", "application/strategic-merge-patch+json")]
    public async Task A_patch_that_leaves_an_ill_typed_object_is_400_and_changes_nothing(string patch, string mediaType)
    {
        var ns = await SeedAsync();
        var before = await SnapshotAsync(ns);
        using var http = SandboxHttp.Create(sandbox.Server);

        using var patched = await http.PatchAsync($"/api/v1/namespaces/{ns}/configmaps/keep", new StringContent(patch, Encoding.UTF8, mediaType), _ct);

        Assert.Equal(HttpStatusCode.BadRequest, patched.StatusCode);
        await ExpectClientErrorAsync(patched, patch);
        Assert.Equal(before, await SnapshotAsync(ns));
    }

    [Fact]
    public async Task Unknown_metadata_fields_are_dropped_with_a_warning_or_rejected_under_Strict()
    {
        var ns = await SeedAsync();
        using var http = SandboxHttp.Create(sandbox.Server);

        using var warned = await http.PatchAsync($"/api/v1/namespaces/{ns}/configmaps/keep", new StringContent("""{"metadata":{"owner":"me"}}""", Encoding.UTF8, "application/merge-patch+json"), _ct);
        Assert.Equal(HttpStatusCode.OK, warned.StatusCode);
        Assert.Contains("metadata.owner", string.Join(" ", warned.Headers.GetValues("Warning")));
        Assert.DoesNotContain("\"owner\"", await warned.Content.ReadAsStringAsync(_ct));

        using var strict = await http.PatchAsync($"/api/v1/namespaces/{ns}/configmaps/keep?fieldValidation=Strict", new StringContent("""{"metadata":{"owner":"me"}}""", Encoding.UTF8, "application/merge-patch+json"), _ct);
        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
    }

    [Theory]
    [InlineData("""{"propagationPolicy":5}""")]
    [InlineData("""{"preconditions":"uid"}""")]
    [InlineData("""{"dryRun":[1]}""")]
    [InlineData("""{"dryRun":["Sometimes"]}""")]
    [InlineData("""{"dryRun":"All"}""")]
    public async Task Wrongly_typed_delete_options_are_400_and_delete_nothing(string options)
    {
        var ns = await SeedAsync();
        using var http = SandboxHttp.Create(sandbox.Server);
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/configmaps/keep") { Content = new StringContent(options, Encoding.UTF8, "application/json") };

        using var response = await http.SendAsync(request, _ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps/keep", _ct)).StatusCode);
    }

    [Fact]
    public async Task Oversized_bodies_and_objects_are_413_and_deep_nesting_is_400()
    {
        var ns = await SeedAsync();
        var before = await SnapshotAsync(ns);
        using var http = SandboxHttp.Create(sandbox.Server);

        var huge = JsonSerializer.Serialize(new { metadata = new { name = "huge" }, data = new { blob = new string('x', 4 * 1024 * 1024) } });
        using (var response = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", new StringContent(huge, Encoding.UTF8, "application/json"), _ct))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            await ExpectClientErrorAsync(response, "a 4 MiB body");
        }

        var tooBigToStore = JsonSerializer.Serialize(new { metadata = new { name = "big" }, data = new { blob = new string('x', 2 * 1024 * 1024) } });
        using (var response = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", new StringContent(tooBigToStore, Encoding.UTF8, "application/json"), _ct))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }

        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 5000)) + "1" + new string('}', 5000);
        using (var response = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", new StringContent(deep, Encoding.UTF8, "application/json"), _ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using (var invalidUtf8 = new ByteArrayContent([0x7b, 0xff, 0xfe, 0x7d]))
        {
            invalidUtf8.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync($"/api/v1/namespaces/{ns}/configmaps", invalidUtf8, _ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        Assert.Equal(before, await SnapshotAsync(ns));
    }

    [Fact]
    public async Task Random_bytes_in_every_verb_and_patch_type_never_produce_a_5xx()
    {
        var ns = await SeedAsync();
        var before = await SnapshotAsync(ns);
        using var http = SandboxHttp.Create(sandbox.Server);
        var random = new Random(20261123);
        var fragments = new[] { "{", "}", "[", "]", "\"", ":", ",", "null", "true", "1e999", "-0", "\\u0000", "metadata", "spec", "$patch", "op", "path", "/", "~1", "\n", "- ", "a: b", "'" };
        var targets = new[] { $"/api/v1/namespaces/{ns}/configmaps/keep", $"/apis/ops.dev/v1alpha1/namespaces/{ns}/diagnosticcommands/keep", $"/apis/ops.dev/v1alpha1/namespaces/{ns}/diagnosticcommands/keep/status" };

        for (var i = 0; i < 300; i++)
        {
            var body = string.Concat(Enumerable.Range(0, random.Next(1, 30)).Select(_ => fragments[random.Next(fragments.Length)]));
            var method = new[] { HttpMethod.Put, HttpMethod.Patch, HttpMethod.Post }[random.Next(3)];
            var path = targets[random.Next(targets.Length)] + (method == HttpMethod.Patch ? "?fieldManager=fuzz" : "");
            using var request = new HttpRequestMessage(method, method == HttpMethod.Post ? path[..path.LastIndexOf('/')] : path)
            {
                Content = new StringContent(body, Encoding.UTF8, MediaTypes[random.Next(MediaTypes.Length)]),
            };
            using var response = await http.SendAsync(request, _ct);
            Assert.True((int)response.StatusCode < 500, $"{method} {request.RequestUri} with {body} gave {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(_ct)}");
        }

        Assert.Equal(before, await SnapshotAsync(ns));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz", _ct)).StatusCode);
    }
}
