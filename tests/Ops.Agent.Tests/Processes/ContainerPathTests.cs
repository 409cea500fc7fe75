using Ops.Agent.Actions;
using Ops.Agent.Processes;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Processes;

public sealed class ContainerPathTests : IDisposable
{
    private readonly string _root = TestWorkspace.CreateDirectory("root-");

    public ContainerPathTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "var/log"));
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        File.CreateSymbolicLink(Path.Combine(_root, "var/log/absolute"), "/etc");
        File.CreateSymbolicLink(Path.Combine(_root, "var/log/climb"), "../../../../../../etc");
        File.CreateSymbolicLink(Path.Combine(_root, "var/log/loop"), "loop");
    }

    [Theory]
    [InlineData("/var/log/app.log", "var/log/app.log")]
    [InlineData("/../../../etc/passwd", "etc/passwd")]
    [InlineData("/var/./log/../log/app.log", "var/log/app.log")]
    [InlineData("/var/log/absolute/passwd", "etc/passwd")]
    [InlineData("/var/log/climb/passwd", "etc/passwd")]
    public void Paths_and_symlinks_resolve_inside_the_root(string path, string expected) =>
        Assert.Equal(Path.Combine(_root, expected), ContainerPath.Resolve(_root, path));

    [Theory]
    [InlineData("var/log/app.log", "must be absolute")]
    [InlineData("/var/log/loop", "too many symbolic links")]
    [InlineData("/var/log/a\0b", "NUL")]
    public void Bad_paths_are_refused_with_the_reason(string path, string reason) =>
        Assert.Contains(reason, Assert.Throws<ActionParameterException>(() => ContainerPath.Resolve(_root, path)).Message);

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
