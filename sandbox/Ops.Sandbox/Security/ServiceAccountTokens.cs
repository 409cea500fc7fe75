using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Security;

/// <summary>
/// ServiceAccount tokens as the API server issues them for TokenRequests: JWTs signed RS256 with the sandbox's
/// service-account key, naming the account (and the pod they are bound to) in the "kubernetes.io" claim. A token
/// authenticates while it has not expired, its account still exists with the same uid and, when bound to a pod,
/// that pod does too: deleting the pod or the account revokes it. As with the API server's default
/// --service-account-extend-token-expiration, a token the kubelet asks for (3607 s, bound to a pod) is valid for
/// a year and carries the hour in "warnafter", so a pod keeps working if its token file is not refreshed.
/// </summary>
internal sealed class ServiceAccountTokens(ObjectStore store, TimeProvider clock, RSA key)
{
    public const string Issuer = "https://kubernetes.default.svc.cluster.local";
    public const long KubeletExpirationSeconds = 3607;
    private static readonly TimeSpan Extended = TimeSpan.FromDays(365);

    public sealed record BoundPod(string Name, string Uid);

    /// <summary>The user name of a service account, as RBAC subjects and TokenReviews name it.</summary>
    public static string UserOf(string ns, string name) => $"system:serviceaccount:{ns}:{name}";

    public static string[] GroupsOf(string ns) => ["system:serviceaccounts", $"system:serviceaccounts:{ns}", "system:authenticated"];

    /// <summary>The key in the data directory when there is one, so tokens outlive a restart; a new one otherwise.</summary>
    public static RSA LoadOrCreateKey(string? directory)
    {
        var key = RSA.Create(2048);
        var path = directory is null ? null : Path.Combine(directory, "sa.key");
        if (path is not null && File.Exists(path))
        {
            key.ImportFromPem(File.ReadAllText(path));
        }
        else if (path is not null)
        {
            Directory.CreateDirectory(directory!);
            File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
        }
        return key;
    }

    /// <summary>A token for the account; returns it with the expiry the TokenRequest's status reports.</summary>
    public (string Token, DateTimeOffset Expires) Issue(string ns, string name, string accountUid, BoundPod? pod, long expirationSeconds, IReadOnlyList<string> audiences)
    {
        var now = clock.GetUtcNow();
        var expires = now.AddSeconds(expirationSeconds);
        var claims = new JsonObject
        {
            ["aud"] = new JsonArray([.. (audiences.Count == 0 ? [Issuer] : audiences).Select(a => (JsonNode)a)]),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["iss"] = Issuer,
            ["sub"] = UserOf(ns, name),
            ["jti"] = Guid.NewGuid().ToString(),
        };
        var scope = new JsonObject { ["namespace"] = ns, ["serviceaccount"] = new JsonObject { ["name"] = name, ["uid"] = accountUid } };
        if (pod is not null)
        {
            scope["pod"] = new JsonObject { ["name"] = pod.Name, ["uid"] = pod.Uid };
            if (expirationSeconds == KubeletExpirationSeconds)
            {
                scope["warnafter"] = expires.ToUnixTimeSeconds();
                expires = now + Extended;
            }
        }
        claims["kubernetes.io"] = scope;
        claims["exp"] = expires.ToUnixTimeSeconds();
        var signed = $"{Base64Url(new JsonObject { ["alg"] = "RS256", ["kid"] = KeyId() }.ToJsonString())}.{Base64Url(claims.ToJsonString())}";
        var signature = key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return ($"{signed}.{Base64Url(signature)}", expires);
    }

    /// <summary>The service account a token authenticates as, or null (bad signature, expired, or its account or pod gone).</summary>
    public (string User, string[] Groups)? Authenticate(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            if (!key.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), FromBase64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)) return null;
            var claims = JsonNode.Parse(FromBase64Url(parts[1])) as JsonObject;
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            if (claims is null || (string?)claims["iss"] != Issuer || (long?)claims["exp"] is not { } exp || exp <= now || (long?)claims["nbf"] > now) return null;
            // A token for another audience (a TokenRequest's spec.audiences) is not one for the API server.
            if (!(claims["aud"] as JsonArray ?? []).Any(a => (string?)a == Issuer)) return null;
            var scope = claims["kubernetes.io"];
            var ns = (string?)scope?["namespace"] ?? "";
            var name = (string?)scope?["serviceaccount"]?["name"] ?? "";
            if (store.Get("serviceaccounts", StoredObject.KeyOf(ns, name)) is not { } account || account.Uid != (string?)scope?["serviceaccount"]?["uid"]) return null;
            if (scope?["pod"] is JsonObject pod && store.Get("pods", StoredObject.KeyOf(ns, (string?)pod["name"] ?? ""))?.Uid != (string?)pod["uid"]) return null;
            return (UserOf(ns, name), GroupsOf(ns));
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or CryptographicException or InvalidOperationException)
        {
            return null;
        }
    }

    private string KeyId() => Base64Url(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    private static string Base64Url(string text) => Base64Url(Encoding.UTF8.GetBytes(text));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - padded.Length % 4) % 4));
    }
}
