using System.Net;
using System.Text;
using System.Text.Json;
using k8s;
using Ops.Operator.Api.V1Alpha1;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Conformance;

public sealed class SchemaValidationTests(SandboxFixture sandbox)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private async Task<HttpResponseMessage> PostCommandAsync(string ns, string json, string query = "")
    {
        using var http = SandboxHttp.Create(sandbox.Server);
        return await http.PostAsync($"/apis/ops.dev/v1alpha1/namespaces/{ns}/diagnosticcommands{query}", new StringContent(json, Encoding.UTF8, "application/json"), _ct);
    }

    [Fact]
    public async Task Defaults_from_the_schema_are_applied()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var command = Resources.Command("defaults");
        command.Spec.Target.Sample = new V1Alpha1DiagnosticCommand.SampleSpec();

        var created = await Resources.Commands(sandbox.Client).CreateNamespacedAsync(command, ns, _ct);

        Assert.Equal(60, created.Spec.TimeoutSeconds);
        Assert.Equal(100, created.Spec.Parallelism);
        Assert.Equal(86400, created.Spec.TtlSecondsAfterFinished);
        Assert.False(created.Spec.Cancel);
        Assert.Equal("all", created.Spec.Target.Sample!.Mode);
    }

    [Fact]
    public async Task Invalid_fields_are_422_with_every_field_path()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        using var response = await PostCommandAsync(ns, """
            {"apiVersion":"ops.dev/v1alpha1","kind":"DiagnosticCommand","metadata":{"name":"bad"},
             "spec":{"action":"Not An Action","parallelism":0,"timeoutSeconds":"soon","target":{"sample":{"mode":"most"}}}}
            """);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(_ct)).RootElement;
        Assert.Equal("Invalid", status.GetProperty("reason").GetString());
        var fields = status.GetProperty("details").GetProperty("causes").EnumerateArray().Select(c => c.GetProperty("field").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "spec.action", "spec.parallelism", "spec.timeoutSeconds", "spec.target.sample.mode" }, fields);
        Assert.StartsWith("DiagnosticCommand.ops.dev \"bad\" is invalid: [", status.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_null_where_null_is_not_allowed_is_dropped_then_defaulted_as_if_missing()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        using var response = await PostCommandAsync(ns, """
            {"apiVersion":"ops.dev/v1alpha1","kind":"DiagnosticCommand","metadata":{"name":"nulls"},
             "spec":{"action":"processes","parallelism":null,"parameters":null,"target":{"nodes":{"names":["node-1"]}}}}
            """);
        using var missing = await PostCommandAsync(ns, """{"apiVersion":"ops.dev/v1alpha1","kind":"DiagnosticCommand","metadata":{"name":"null-target"},"spec":{"action":"processes","target":null}}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var spec = JsonDocument.Parse(await response.Content.ReadAsStringAsync(_ct)).RootElement.GetProperty("spec");
        Assert.Equal(100, spec.GetProperty("parallelism").GetInt32());
        Assert.False(spec.TryGetProperty("parameters", out _));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.StatusCode);
        Assert.Contains("spec.target: Required value", await missing.Content.ReadAsStringAsync(_ct));
    }

    [Fact]
    public async Task A_missing_required_field_is_reported_by_path()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        using var response = await PostCommandAsync(ns, """{"apiVersion":"ops.dev/v1alpha1","kind":"DiagnosticCommand","metadata":{"name":"req"},"spec":{"target":{}}}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("spec.action: Required value", await response.Content.ReadAsStringAsync(_ct));
    }

    [Fact]
    public async Task Unknown_fields_are_pruned_with_a_warning_or_rejected_under_Strict()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        const string body = """{"apiVersion":"ops.dev/v1alpha1","kind":"DiagnosticCommand","metadata":{"name":"NAME"},"spec":{"action":"processes","target":{},"surprise":1}}""";

        using var warned = await PostCommandAsync(ns, body.Replace("NAME", "warned"));
        Assert.Equal(HttpStatusCode.Created, warned.StatusCode);
        Assert.Contains("unknown field \\\"spec.surprise\\\"", string.Join(" ", warned.Headers.GetValues("Warning")));
        Assert.DoesNotContain("surprise", await warned.Content.ReadAsStringAsync(_ct));

        using var strict = await PostCommandAsync(ns, body.Replace("NAME", "strict"), "?fieldValidation=Strict");
        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
        var message = JsonDocument.Parse(await strict.Content.ReadAsStringAsync(_ct)).RootElement.GetProperty("message").GetString();
        Assert.Equal("strict decoding error: unknown field \"spec.surprise\"", message);
    }

    [Fact]
    public async Task Int_or_string_accepts_a_count_or_a_percentage_and_nothing_else()
    {
        using var http = SandboxHttp.Create(sandbox.Server);
        async Task<HttpStatusCode> CreateAsync(string name, string maxUnavailable)
        {
            var body = $$$$"""{"apiVersion":"ops.dev/v1alpha1","kind":"AgentVersion","metadata":{"name":"{{{{name}}}}"},"spec":{"version":"1.0.0","image":"agent:1.0.0","strategy":{"maxUnavailable":{{{{maxUnavailable}}}}}}}""";
            using var response = await http.PostAsync("/apis/ops.dev/v1alpha1/agentversions", new StringContent(body, Encoding.UTF8, "application/json"), _ct);
            return response.StatusCode;
        }
        var suffix = Guid.NewGuid().ToString("n")[..6];

        Assert.Equal(HttpStatusCode.Created, await CreateAsync($"count-{suffix}", "2"));
        Assert.Equal(HttpStatusCode.Created, await CreateAsync($"percent-{suffix}", "\"10%\""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await CreateAsync($"words-{suffix}", "\"lots\""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await CreateAsync($"object-{suffix}", "{}"));
    }
}
