using System.Net.Sockets;
using Ops.Agent.Dotnet;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Dotnet;

public sealed class SocketPathAliasTests
{
    [Fact]
    public async Task A_socket_whose_path_is_longer_than_a_socket_address_holds_is_reached_through_its_directorys_descriptor()
    {
        // Bound at a short path, then moved deep: a container's long TMPDIR, seen through /proc/PID/root.
        var shortPath = Path.Combine(TestWorkspace.CreateDirectory("s-"), "s");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(shortPath));
        listener.Listen();
        var deep = Directory.CreateDirectory(Path.Combine(TestWorkspace.CreateDirectory("deep-"), new string('d', 60), new string('e', 60))).FullName;
        var longPath = Path.Combine(deep, "dotnet-diagnostic-4194304-18446744073709551615-socket");
        File.Move(shortPath, longPath);
        Assert.True(longPath.Length > 108, $"{longPath.Length} characters");
        Assert.Throws<ArgumentOutOfRangeException>(() => new UnixDomainSocketEndPoint(longPath));

        using var alias = SocketPathAlias.For(longPath);
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(alias.Path), TestContext.Current.CancellationToken);
        using var accepted = await listener.AcceptAsync(TestContext.Current.CancellationToken);

        Assert.StartsWith("/proc/self/fd/", alias.Path);
        using var plain = SocketPathAlias.For(shortPath);
        Assert.Equal(shortPath, plain.Path);
    }
}
