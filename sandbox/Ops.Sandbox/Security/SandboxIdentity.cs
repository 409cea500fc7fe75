using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Ops.Sandbox.Security;

/// <summary>
/// Who the sandbox knows: its administrator (the kubeconfig's token: user sandbox-admin in system:masters),
/// the users a test adds, each with a token of their own, a name and groups, and service accounts by the tokens
/// the sandbox issued them (<see cref="ServiceAccountTokens"/>). Every request and TokenReview authenticates here.
/// </summary>
internal sealed class SandboxIdentity(string token, ServiceAccountTokens serviceAccounts)
{
    public const string AdminUser = "sandbox-admin";

    private readonly ConcurrentDictionary<string, (string User, string[] Groups)> _users = new(StringComparer.Ordinal);

    public string Token => token;

    /// <summary>Adds a user; returns the bearer token that authenticates as them.</summary>
    public string AddUser(string name, IReadOnlyList<string> groups)
    {
        var userToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        _users[userToken] = (name, [.. groups, "system:authenticated"]);
        return userToken;
    }

    public bool IsAdmin(string candidate) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), Encoding.UTF8.GetBytes(token));

    /// <summary>The user a token belongs to, or null.</summary>
    public (string User, string[] Groups)? Authenticate(string candidate) =>
        IsAdmin(candidate) ? (AdminUser, [RbacAuthorizer.Masters, "system:authenticated"])
        : _users.TryGetValue(candidate, out var user) ? user
        : candidate.Length > 0 ? serviceAccounts.Authenticate(candidate) : null;
}
