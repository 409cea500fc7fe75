using Ops.Sandbox.Containers;

namespace Ops.Sandbox.Tests.Containers;

/// <summary>
/// What the containerd runtime's tests need: root, containerd, runc and catatonit (the runtime's own needs),
/// Debian's registry and skopeo (to serve and push test images) and a static busybox (the test images' one
/// program). Missing, the tests skip with the install line; under CI=true that is a failure (.ci/run installs them).
/// </summary>
internal static class ContainerdTools
{
    private static readonly (string Program, string Package)[] TestPrograms = [("docker-registry", "docker-registry"), ("skopeo", "skopeo"), ("busybox", "busybox-static")];

    public static string? Missing()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        var missing = TestPrograms.Where(t => !path.Any(dir => File.Exists(Path.Combine(dir, t.Program)))).ToList();
        if (missing.Count > 0) return $"{string.Join(", ", missing.Select(m => m.Program))} not found: apt-get install -y {string.Join(' ', missing.Select(m => m.Package))}";
        // The test images hold nothing but busybox: a dynamically linked one would find no libc in them.
        if (System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(Busybox)).Contains("/ld-linux", StringComparison.Ordinal)) return $"{Busybox} is dynamically linked: apt-get install -y busybox-static";
        return ContainerdOptions.Missing();
    }

    public static void Require(string? missing)
    {
        if (missing is null) return;
        if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail(missing + "; under CI=true this is a failure, not a skip");
        Assert.Skip(missing);
    }

    public static string Busybox => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "busybox")).First(File.Exists);
}
