using System.Globalization;

namespace Ops.Sandbox.Nodes;

/// <summary>
/// Picks the second octet of a sandbox's pod addresses (127.c.*.*) among those no socket on this
/// machine uses, so two sandboxes running at once (a demo and a test run) never share pod IPs.
/// </summary>
internal static class LoopbackRanges
{
    public static int Unused()
    {
        var used = new HashSet<int> { 0 };
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/udp" })
        {
            try
            {
                foreach (var line in File.ReadLines(table).Skip(1))
                {
                    // local_address is the IPv4 address in little-endian hex, then the port: 0100007F:1F90 is 127.0.0.1:8080.
                    var address = line.TrimStart().Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var local, ..] ? local.Split(':')[0] : "";
                    if (address.Length == 8 && address.EndsWith("7F", StringComparison.Ordinal)) used.Add(int.Parse(address[4..6], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                }
            }
            catch (IOException)
            {
            }
        }
        var free = Enumerable.Range(1, 254).Where(c => !used.Contains(c)).ToList();
        return free.Count == 0 ? Random.Shared.Next(1, 255) : free[Random.Shared.Next(free.Count)];
    }
}
