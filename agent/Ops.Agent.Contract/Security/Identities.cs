namespace Ops.Agent.Security;

/// <summary>
/// Who is who on the operator-agent link: certificates carry these as SAN URIs, issued by the
/// operator's CA. Identity is not a host name because the operator dials agents by pod IP.
/// </summary>
public static class Identities
{
    public const string Operator = "spiffe://ops.dev/operator";
    public const string Agent = "spiffe://ops.dev/agent";
}
