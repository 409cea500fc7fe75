using System.Text.RegularExpressions;
using System.Text.Json.Nodes;

namespace Ops.Sandbox.Admission;

/// <summary>
/// A webhook's matchConditions: it is called only when all of them hold. The API server evaluates CEL; the sandbox
/// evaluates one form of it, the one that keeps a controller's own writes away from its webhook:
/// <c>request.userInfo.username == 'NAME'</c> or <c>!=</c>. Any other expression is an evaluation error, which
/// the webhook's failurePolicy decides, as the API server does with a condition that fails to evaluate.
/// </summary>
internal static partial class MatchConditions
{
    public static bool Hold(JsonObject webhook, AdmissionAttributes request)
    {
        foreach (var condition in (webhook["matchConditions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var expression = (string?)condition["expression"] ?? "";
            var match = UsernameComparison().Match(expression);
            if (!match.Success)
            {
                throw new InvalidOperationException($"matchCondition \"{(string?)condition["name"]}\": the sandbox evaluates only request.userInfo.username == or != 'NAME', not {expression}");
            }
            var equal = request.User == match.Groups["name"].Value;
            if (equal != (match.Groups["op"].Value == "==")) return false;
        }
        return true;
    }

    [GeneratedRegex(@"^\s*request\.userInfo\.username\s*(?<op>==|!=)\s*'(?<name>[^'\\]*)'\s*$")]
    private static partial Regex UsernameComparison();
}
