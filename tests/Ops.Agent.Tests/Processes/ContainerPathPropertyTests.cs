using CsCheck;
using Ops.Agent.Actions;
using Ops.Agent.Processes;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Processes;

/// <summary>
/// Random paths built from every trick (.., ., empty parts, symbolic links that point out of the root,
/// up, at themselves or in loops, odd characters) against a container root: each resolves inside the
/// root to a path with no symbolic link left in it, or is refused with an <see cref="ActionParameterException"/>.
/// </summary>
public sealed class ContainerPathPropertyTests : IDisposable
{
    private readonly string _root = TestWorkspace.CreateDirectory("root-");

    public ContainerPathPropertyTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "a/b"));
        File.WriteAllText(Path.Combine(_root, "a/b/file"), "x");
        File.CreateSymbolicLink(Path.Combine(_root, "a/out-abs"), "/etc");
        File.CreateSymbolicLink(Path.Combine(_root, "a/out-rel"), "../../../../../../..");
        File.CreateSymbolicLink(Path.Combine(_root, "a/b/up"), "..");
        File.CreateSymbolicLink(Path.Combine(_root, "a/self"), ".");
        File.CreateSymbolicLink(Path.Combine(_root, "a/loop"), "loop");
        File.CreateSymbolicLink(Path.Combine(_root, "a/ping"), "pong");
        File.CreateSymbolicLink(Path.Combine(_root, "a/pong"), "ping");
        File.CreateSymbolicLink(Path.Combine(_root, "proc-root"), "/proc/1/root");
    }

    private static readonly Gen<string> Tricks = Gen.OneOf(
        ["..", ".", "", "a", "b", "file", "out-abs", "out-rel", "up", "self", "loop", "ping", "proc-root", "etc", "passwd", "...", " ", "%2e%2e", "é", "a\\..\\.."]);

    private static readonly Gen<string> Part = Gen.Frequency((4, Tricks), (1, Gen.String[0, 12]));

    private static readonly Gen<string> Paths = Part.Array[0, 12].Select(parts => "/" + string.Join('/', parts));

    private void AssertInside(string path)
    {
        string resolved;
        try
        {
            resolved = ContainerPath.Resolve(_root, path);
        }
        catch (ActionParameterException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            return;
        }
        var full = Path.GetFullPath(resolved);
        Assert.True(full == _root || full.StartsWith(_root + "/", StringComparison.Ordinal), $"{path} resolved to {full}, outside {_root}");
        // No component is a link any more, so opening it cannot leave the root either.
        for (var at = full; at.Length > _root.Length; at = Path.GetDirectoryName(at)!)
        {
            Assert.True(new FileInfo(at).LinkTarget is null, $"{path} resolved to {full}, whose {at} is a symbolic link");
        }
    }

    [Fact]
    public void Every_path_resolves_inside_the_root_or_is_refused_with_a_reason() =>
        Paths.Sample(AssertInside, iter: 5_000);

    [Fact]
    public void Arbitrary_strings_never_escape_nor_throw_anything_but_a_parameter_error() =>
        Gen.String.Sample(s => AssertInside(s), iter: 5_000);

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
