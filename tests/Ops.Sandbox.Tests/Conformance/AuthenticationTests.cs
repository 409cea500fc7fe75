using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Conformance;

public sealed class AuthenticationTests(SandboxFixture sandbox)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Token_reviews_vouch_for_the_admin_and_added_users_and_access_reviews_for_the_admin_in_system_masters()
    {
        var good = await sandbox.Client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = sandbox.Server.Token } }, cancellationToken: _ct);
        var bad = await sandbox.Client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = "forged" } }, cancellationToken: _ct);
        var attributes = new V1ResourceAttributes { Group = "ops.dev", Resource = "diagnosticcommands", Subresource = "artifacts", Verb = "get", NamespaceProperty = "shop" };
        var admin = await sandbox.Client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec { User = good.Status.User.Username, Groups = good.Status.User.Groups, ResourceAttributes = attributes },
        }, cancellationToken: _ct);
        // The review decides for exactly the user and groups it names: the admin's name without its groups is nobody.
        var nameOnly = await sandbox.Client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview { Spec = new V1SubjectAccessReviewSpec { User = good.Status.User.Username, ResourceAttributes = attributes } }, cancellationToken: _ct);
        var added = await sandbox.Client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = sandbox.Server.AddUser("alice", "team-a") } }, cancellationToken: _ct);
        var stranger = await sandbox.Client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview { Spec = new V1SubjectAccessReviewSpec { User = "mallory", ResourceAttributes = attributes } }, cancellationToken: _ct);

        Assert.True(good.Status.Authenticated);
        Assert.Equal("sandbox-admin", good.Status.User.Username);
        Assert.False(bad.Status.Authenticated);
        Assert.Contains("system:masters", good.Status.User.Groups);
        Assert.True(admin.Status.Allowed);
        Assert.False(nameOnly.Status.Allowed);
        Assert.False(stranger.Status.Allowed);
        Assert.True(added.Status.Authenticated);
        Assert.Equal("alice", added.Status.User.Username);
        Assert.Equal(["team-a", "system:authenticated"], added.Status.User.Groups);
    }

    [Fact]
    public async Task A_user_no_role_allows_a_request_gets_403_with_the_API_servers_message()
    {
        using var http = SandboxHttp.Create(sandbox.Server, sandbox.Server.AddUser("bob"));

        using var response = await http.GetAsync("/api/v1/namespaces", _ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(_ct)).RootElement;
        Assert.Equal("Forbidden", status.GetProperty("reason").GetString());
        Assert.Equal("namespaces is forbidden: User \"bob\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope", status.GetProperty("message").GetString());
        Assert.Equal("namespaces", status.GetProperty("details").GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-the-token")]
    public async Task Requests_without_the_bearer_token_are_401_with_a_Status(string? token)
    {
        using var http = token is null ? SandboxHttp.Create(sandbox.Server, authenticate: false) : SandboxHttp.Create(sandbox.Server, token);

        using var response = await http.GetAsync("/api/v1/namespaces", _ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(_ct)).RootElement;
        Assert.Equal("Unauthorized", status.GetProperty("reason").GetString());
        Assert.Equal(401, status.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Health_and_version_are_public_and_the_server_speaks_only_TLS()
    {
        using var anonymous = SandboxHttp.Create(sandbox.Server, authenticate: false);
        foreach (var path in (string[])["/healthz", "/livez", "/readyz", "/version"])
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(path, _ct)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api", _ct)).StatusCode);

        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{sandbox.Server.Url.Port}") };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync("/healthz", _ct));
    }
}
