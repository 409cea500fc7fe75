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
    public async Task Token_and_access_reviews_vouch_for_the_sandbox_user_only()
    {
        var good = await sandbox.Client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = sandbox.Server.Token } }, cancellationToken: _ct);
        var bad = await sandbox.Client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = "forged" } }, cancellationToken: _ct);
        var attributes = new V1ResourceAttributes { Group = "ops.dev", Resource = "diagnosticcommands", Subresource = "artifacts", Verb = "get", NamespaceProperty = "shop" };
        var admin = await sandbox.Client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview { Spec = new V1SubjectAccessReviewSpec { User = good.Status.User.Username, ResourceAttributes = attributes } }, cancellationToken: _ct);
        var stranger = await sandbox.Client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview { Spec = new V1SubjectAccessReviewSpec { User = "mallory", ResourceAttributes = attributes } }, cancellationToken: _ct);

        Assert.True(good.Status.Authenticated);
        Assert.Equal("sandbox-admin", good.Status.User.Username);
        Assert.False(bad.Status.Authenticated);
        Assert.True(admin.Status.Allowed);
        Assert.False(stranger.Status.Allowed);
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
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz", _ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/version", _ct)).StatusCode);

        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{sandbox.Server.Url.Port}") };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync("/healthz", _ct));
    }
}
