using System.Net;
using System.Net.Sockets;
using Ops.Agent.V1;
using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>
/// Where a network check may connect. A check of a pod target reaches that pod and nothing else: the
/// agent runs on the node's network as root, so otherwise a team allowed commands only in its own
/// namespace could probe (check.tcp) or request (check.http) anything the node reaches — the API server,
/// the operator, other teams' pods, a cloud metadata endpoint — unless its namespace's DiagnosticPolicies list
/// the destination (sent with the target). A check of a node target (which a policy must allow) goes where it is pointed. A name is resolved once, here,
/// and the address checked is the address connected to: a DNS answer that changes in between (rebinding)
/// cannot move the connection elsewhere.
/// </summary>
public static class CheckDestination
{
    /// <summary>The address to connect to for <paramref name="host"/>; refuses (as a bad parameter, failing the target) one the target may not reach.</summary>
    public static async Task<IPAddress> ResolveAsync(string action, Target target, string host, CancellationToken cancellationToken)
    {
        var addresses = await AddressesAsync(host, cancellationToken);
        if (target.Node) return addresses[0];
        var own = OwnAddresses(target);
        if (addresses.FirstOrDefault(own.Contains) is { } allowed) return allowed;
        if (addresses.FirstOrDefault(a => NetworkAllowList.Allows(target.NetworkDestinations, host, a)) is { } listed) return listed;
        var named = addresses.Length == 1 && addresses[0].ToString() == host ? host : $"{host} ({string.Join(", ", addresses.Select(a => a.ToString()))})";
        throw new ActionParameterException(own.Count == 0
            ? $"{action} of a pod reaches only that pod, and pod {target.Namespace}/{target.Pod} has no IP yet; {named} was refused"
            : $"{action} of a pod reaches only that pod ({string.Join(", ", own)}); {named} is elsewhere and was refused{AllowedElsewhere(target)}. Leave out the host to check the pod, or ask for the destination in the namespace's DiagnosticPolicy (networkCheckDestinations)");
    }

    private static string AllowedElsewhere(Target target) =>
        target.NetworkDestinations.Count == 0 ? " (the namespace's policies allow no other destination)" : $" (the namespace's policies allow only {string.Join(", ", target.NetworkDestinations)} besides)";

    /// <summary>The target pod's address (its primary IP: a dual-stack pod's other address is not known here).</summary>
    private static HashSet<IPAddress> OwnAddresses(Target target) =>
        IPAddress.TryParse(target.PodIp, out var address) ? [Fold(address)] : [];

    private static async Task<IPAddress[]> AddressesAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal)) return [Fold(literal)];
        try
        {
            var resolved = await Dns.GetHostAddressesAsync(host, cancellationToken);
            return resolved.Length > 0 ? [.. resolved.Select(Fold).Distinct()] : throw new ActionParameterException($"{host} has no address");
        }
        catch (SocketException e)
        {
            throw new ActionParameterException($"{host} does not resolve: {e.SocketErrorCode}");
        }
    }

    private static IPAddress Fold(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
