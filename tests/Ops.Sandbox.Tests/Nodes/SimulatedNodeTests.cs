using System.Net;
using Ops.Sandbox.Nodes;

namespace Ops.Sandbox.Tests.Nodes;

public sealed class SimulatedNodeTests
{
    private static SimulatedNode Node(int index) => new(SimulatedNode.NameOf(index), index, new Dictionary<string, string>(), Cluster: 42);

    [Fact]
    public void Ten_thousand_nodes_get_distinct_loopback_addresses_that_are_never_the_API_servers_or_a_subnet_edge()
    {
        var addresses = Enumerable.Range(1, 10_000).Select(i => Node(i).Address).ToList();

        Assert.Equal(addresses.Count, addresses.Distinct(StringComparer.Ordinal).Count());
        Assert.All(addresses, a =>
        {
            var bytes = IPAddress.Parse(a).GetAddressBytes();
            Assert.Equal((byte)127, bytes[0]);
            Assert.Equal((byte)0, bytes[1]); // pod addresses use the sandbox's own second octet
            Assert.InRange(bytes[3], (byte)1, (byte)254);
            Assert.NotEqual("127.0.0.1", a);
        });
        Assert.Equal(("127.0.0.11", "127.0.0.254", "127.0.1.1", "127.0.1.254", "127.0.2.1"), (addresses[0], addresses[243], addresses[244], addresses[497], addresses[498]));
    }

    [Fact]
    public void Pod_addresses_are_distinct_for_sixty_thousand_pods_in_the_sandboxs_own_range()
    {
        var node = Node(5000);
        var addresses = Enumerable.Range(0, 60_000).Select(node.PodAddress).ToList();

        Assert.Equal(addresses.Count, addresses.Distinct(StringComparer.Ordinal).Count());
        Assert.All(addresses, a => Assert.StartsWith("127.42.", a, StringComparison.Ordinal));
    }
}
