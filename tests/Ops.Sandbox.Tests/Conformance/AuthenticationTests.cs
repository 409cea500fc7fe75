using System.Net;
using System.Text.Json;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Conformance;

public sealed class AuthenticationTests(SandboxFixture sandbox)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

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
