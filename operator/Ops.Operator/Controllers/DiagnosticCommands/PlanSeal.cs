using System.Security.Cryptography;
using System.Text;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// A seal on a command's recorded plan: an HMAC over the command's uid, its spec hash and the plan's bytes, keyed by
/// a secret only the operator holds (derived from the Ops CA's key). The plan lives in the command's annotations (or
/// a ConfigMap of its namespace), which the namespace's users may edit; a resumed command runs only a plan whose seal
/// holds, so editing it cannot point the agents at another namespace's container or another address.
/// </summary>
public sealed class PlanSeal(Func<string> secret)
{
    public const string Annotation = "ops.dev/plan-seal";

    public string Of(string commandUid, string specHash, byte[] plan)
    {
        var key = SHA256.HashData(Encoding.UTF8.GetBytes($"ops.dev/plan-seal\n{secret()}"));
        var message = Encoding.UTF8.GetBytes($"{commandUid}\n{specHash}\n").Concat(plan).ToArray();
        return Convert.ToBase64String(HMACSHA256.HashData(key, message));
    }

    public bool Holds(string? seal, string commandUid, string specHash, byte[] plan) =>
        seal is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(seal), Encoding.ASCII.GetBytes(Of(commandUid, specHash, plan)));
}
