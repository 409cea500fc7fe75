using System.Net;

namespace Ops.Agent.V1.Actions;

/// <summary>
/// Entries of a network allow-list (a DiagnosticPolicy's networkCheckDestinations): a CIDR, a single address, or a
/// host name. The operator combines policies' lists with it and the agent checks a destination against one.
/// </summary>
public static class NetworkAllowList
{
    /// <summary>Whether an entry covers another entry: a network one that lies inside it, a name the same name.</summary>
    public static bool Covers(string allowed, string entry)
    {
        if (TryNetwork(allowed, out var outer))
        {
            return TryNetwork(entry, out var inner) && inner.PrefixLength >= outer.PrefixLength && outer.Contains(inner.BaseAddress);
        }
        return !TryNetwork(entry, out _) && string.Equals(allowed.TrimEnd('.'), entry.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Whether the list lets a check that named <paramref name="host"/> connect to <paramref name="address"/> (what it resolved to).</summary>
    public static bool Allows(IEnumerable<string> list, string host, IPAddress address) =>
        list.Any(allowed => TryNetwork(allowed, out var network) ? network.Contains(address) : Covers(allowed, host));

    /// <summary>
    /// Whether the list names <paramref name="host"/> as written, before any name is resolved: an address inside a
    /// listed network, or a listed name. What the operator can decide at admission; the agent checks the resolved address again.
    /// </summary>
    public static bool Lists(IEnumerable<string> list, string host) =>
        IPAddress.TryParse(host, out var address) ? Allows(list, host, address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address) : list.Any(allowed => !TryNetwork(allowed, out _) && Covers(allowed, host));

    /// <summary>A CIDR (host bits zero), or a single address as its own /32 or /128.</summary>
    public static bool TryNetwork(string text, out IPNetwork network)
    {
        if (IPNetwork.TryParse(text, out network)) return true;
        if (IPAddress.TryParse(text, out var address))
        {
            network = new IPNetwork(address, address.GetAddressBytes().Length * 8);
            return true;
        }
        return false;
    }
}
