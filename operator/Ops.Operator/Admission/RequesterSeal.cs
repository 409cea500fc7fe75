using System.Security.Cryptography;
using System.Text;
using k8s.Models;

namespace Ops.Operator.Admission;

/// <summary>
/// A seal on the requester the mutating webhook stamps: an HMAC over the namespace, the user and the groups, keyed by a
/// secret only the operator holds (derived from the Ops CA's key, as <see cref="Controllers.DiagnosticCommands.PlanSeal"/>).
/// While the webhook is down nothing replaces what a creator writes in the annotation, so the audit line and Events say
/// when a requester was not stamped by the webhook rather than trust it. (A creator could then still copy a stamp from
/// another object of the same namespace: a seal cannot name the object, whose name and uid may not exist yet at admission.)
/// </summary>
public sealed class RequesterSeal(Func<string> secret)
{
    public Requester Sealed(string ns, Requester requester) => requester with { Seal = Of(ns, requester) };

    public bool Holds(string ns, Requester requester) =>
        requester.Seal is { } seal && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(seal), Encoding.ASCII.GetBytes(Of(ns, requester)));

    /// <summary>Who asked for the object, as the audit line and Events name them: "unknown" when nobody stamped it, and a requester the webhook did not stamp said to be one.</summary>
    public string Describe(V1ObjectMeta metadata) => Requester.Of(metadata) switch
    {
        null => "unknown",
        var requester when Holds(metadata.NamespaceProperty ?? "", requester) => requester.Describe(),
        var requester => $"{requester.Describe()}, not stamped by the admission webhook",
    };

    private string Of(string ns, Requester requester)
    {
        var key = SHA256.HashData(Encoding.UTF8.GetBytes($"ops.dev/requested-by\n{secret()}"));
        var message = Encoding.UTF8.GetBytes($"{ns}\n{requester.Username}\n{string.Join("\n", requester.Groups)}");
        return Convert.ToBase64String(HMACSHA256.HashData(key, message));
    }
}
