using Ops.Sandbox.Nodes;

namespace Ops.Sandbox.Tests.Nodes;

public sealed class PodSpecResolverTests
{
    private static readonly Dictionary<string, string> Mounts = new()
    {
        ["/etc/ops/tls"] = "/pods/p/rootfs/etc/ops/tls",
        ["/etc/ops"] = "/pods/p/rootfs/etc/ops",
        ["/var/lib/ops-agent"] = "/nodes/node-1/var/lib/ops-agent",
    };

    [Theory]
    [InlineData("/etc/ops/tls/tls.crt", "/pods/p/rootfs/etc/ops/tls/tls.crt")]
    [InlineData("/etc/ops/config.yaml", "/pods/p/rootfs/etc/ops/config.yaml")]
    [InlineData("--Agent:DataDirectory=/var/lib/ops-agent", "--Agent:DataDirectory=/nodes/node-1/var/lib/ops-agent")]
    [InlineData("/var/lib/ops-agent-other/x", "/var/lib/ops-agent-other/x")]
    [InlineData("/etc/hosts", "/etc/hosts")]
    [InlineData("plain value", "plain value")]
    public void A_value_naming_a_mounted_path_is_rewritten_to_the_host_path_and_nothing_else_is(string value, string expected) =>
        Assert.Equal(expected, PodSpecResolver.Rewrite(value, Mounts));

    [Theory]
    [InlineData("ghcr.io/example/ops-agent:1.3.0", "ops-agent")]
    [InlineData("ops-agent", "ops-agent")]
    [InlineData("localhost:5000/ops-agent@sha256:abc", "ops-agent")]
    [InlineData("sleep:latest", "sleep")]
    public void An_image_is_known_by_its_name_without_registry_and_tag(string image, string name) => Assert.Equal(name, SandboxImage.NameOf(image));

    [Theory]
    [InlineData("ghcr.io/example/ops-agent:1.3.0", "1.3.0")]
    [InlineData("localhost:5000/ops-agent:2.0.0-rc.1", "2.0.0-rc.1")]
    [InlineData("localhost:5000/ops-agent", null)]
    [InlineData("ops-agent@sha256:abc", null)]
    public void An_image_tag_is_read_after_the_last_path_segment(string image, string? tag) => Assert.Equal(tag, SandboxImage.TagOf(image));
}
