using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Security;

/// <summary>ServiceAccount tokens as a real API server issues and honours them: TokenRequest, TokenReview, revocation, and the pods' token volume.</summary>
public sealed class ServiceAccountTokenTests(SandboxFixture sandbox)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_requested_token_authenticates_as_its_account_until_the_account_is_deleted()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        await sandbox.Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "robot" } }, ns, cancellationToken: _ct);

        var request = await sandbox.Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 600 } }, "robot", ns, cancellationToken: _ct);
        var review = await sandbox.Client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = request.Status.Token } }, cancellationToken: _ct);
        Assert.True(review.Status.Authenticated);
        Assert.Equal($"system:serviceaccount:{ns}:robot", review.Status.User.Username);
        Assert.Equal(["system:serviceaccounts", $"system:serviceaccounts:{ns}", "system:authenticated"], review.Status.User.Groups);
        Assert.InRange(request.Status.ExpirationTimestamp!.Value, DateTime.UtcNow.AddSeconds(590), DateTime.UtcNow.AddSeconds(610));

        // Authenticated, it may read discovery (system:discovery) but no resource: no role is bound to it.
        using var http = SandboxHttp.Create(sandbox.Server, request.Status.Token);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1", _ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync($"/api/v1/namespaces/{ns}/configmaps", _ct)).StatusCode);

        await sandbox.Client.CoreV1.DeleteNamespacedServiceAccountAsync("robot", ns, cancellationToken: _ct);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1", _ct)).StatusCode);
    }

    [Fact]
    public async Task A_token_shorter_than_ten_minutes_or_for_a_missing_account_is_refused()
    {
        var ns = await sandbox.CreateNamespaceAsync();

        var tooShort = await ApiError.From(() => sandbox.Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 60 } }, "default", ns, cancellationToken: _ct));
        var missing = await ApiError.From(() => sandbox.Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec() }, "nobody", ns, cancellationToken: _ct));

        Assert.Equal((HttpStatusCode)422, tooShort.Code);
        Assert.Contains("spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes", tooShort.Status.Message());
        Assert.Equal(HttpStatusCode.NotFound, missing.Code);
    }

    [Fact]
    public async Task A_token_bound_to_a_pod_dies_with_the_pod()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        var pod = await sandbox.Client.CoreV1.CreateNamespacedPodAsync(Pod("holder"), ns, cancellationToken: _ct);

        var request = await sandbox.Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest
        {
            Spec = new V1TokenRequestSpec { BoundObjectRef = new V1BoundObjectReference { Kind = "Pod", ApiVersion = "v1", Name = "holder", Uid = pod.Metadata.Uid } },
        }, "default", ns, cancellationToken: _ct);
        Assert.True(await AuthenticatesAsync(request.Status.Token));

        await sandbox.Client.CoreV1.DeleteNamespacedPodAsync("holder", ns, gracePeriodSeconds: 0, cancellationToken: _ct);
        Assert.False(await AuthenticatesAsync(request.Status.Token));
    }

    [Fact]
    public async Task A_pod_gets_its_accounts_token_volume_unless_it_or_its_account_opts_out_and_an_unknown_account_is_refused()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        await sandbox.Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "quiet" }, AutomountServiceAccountToken = false }, ns, cancellationToken: _ct);

        var mounted = await sandbox.Client.CoreV1.CreateNamespacedPodAsync(Pod("mounted"), ns, cancellationToken: _ct);
        var podOptOut = Pod("pod-opts-out");
        podOptOut.Spec.AutomountServiceAccountToken = false;
        var optedOut = await sandbox.Client.CoreV1.CreateNamespacedPodAsync(podOptOut, ns, cancellationToken: _ct);
        var accountOptOut = Pod("account-opts-out");
        accountOptOut.Spec.ServiceAccountName = "quiet";
        var quiet = await sandbox.Client.CoreV1.CreateNamespacedPodAsync(accountOptOut, ns, cancellationToken: _ct);
        var unknown = Pod("unknown-account");
        unknown.Spec.ServiceAccountName = "ghost";
        var refused = await ApiError.From(() => sandbox.Client.CoreV1.CreateNamespacedPodAsync(unknown, ns, cancellationToken: _ct));

        var volume = Assert.Single(mounted.Spec.Volumes);
        Assert.StartsWith("kube-api-access-", volume.Name);
        Assert.Equal(3607, volume.Projected.Sources[0].ServiceAccountToken.ExpirationSeconds);
        Assert.Equal("kube-root-ca.crt", volume.Projected.Sources[1].ConfigMap.Name);
        Assert.Equal("metadata.namespace", volume.Projected.Sources[2].DownwardAPI.Items[0].FieldRef.FieldPath);
        var mount = Assert.Single(mounted.Spec.Containers[0].VolumeMounts);
        Assert.Equal(("/var/run/secrets/kubernetes.io/serviceaccount", true, volume.Name), (mount.MountPath, mount.ReadOnlyProperty ?? false, mount.Name));
        Assert.Null(optedOut.Spec.Volumes);
        Assert.Null(quiet.Spec.Volumes);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Code);
        Assert.Contains($"error looking up service account {ns}/ghost: serviceaccount \"ghost\" not found", refused.Status.Message());
        var ca = await sandbox.Client.CoreV1.ReadNamespacedConfigMapAsync("kube-root-ca.crt", ns, cancellationToken: _ct);
        Assert.Equal(sandbox.Server.CaPem, ca.Data["ca.crt"]);
    }

    private async Task<bool> AuthenticatesAsync(string token) =>
        (await sandbox.Client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = token } }, cancellationToken: _ct)).Status.Authenticated == true;

    private static V1Pod Pod(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "sleep" }] },
    };
}
