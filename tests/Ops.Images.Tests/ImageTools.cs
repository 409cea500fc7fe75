namespace Ops.Images.Tests;

/// <summary>
/// What building and inspecting images needs here: Debian's registry, umoci and skopeo, apt-get for the base's
/// packages, and root (the base's files belong to root and the app user; an image is started with chroot).
/// Where one is missing the tests skip with the reason, except under CI=true, where that is a failure
/// (.ci/run installs the packages).
/// </summary>
public static class ImageTools
{
    private static readonly string[] Programs = ["docker-registry", "umoci", "skopeo", "apt-get", "dpkg-deb", "chroot"];

    /// <summary>Null when everything is here; else what is missing.</summary>
    public static string? Missing()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':');
        var missing = Programs.Where(p => !path.Any(dir => File.Exists(Path.Combine(dir, p)))).ToList();
        if (missing.Count > 0) return $"{string.Join(", ", missing)} not installed (apt-get install docker-registry umoci skopeo, or .ci/run installs them)";
        return Environment.IsPrivilegedProcess ? null : "building the base image and starting an image's root file system need root";
    }

    public static void Require(string? missing)
    {
        if (missing is null) return;
        if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail(missing + "; under CI=true this is a failure, not a skip");
        Assert.Skip(missing);
    }
}
