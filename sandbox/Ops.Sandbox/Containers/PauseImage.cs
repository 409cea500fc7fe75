using System.Diagnostics;

namespace Ops.Sandbox.Containers;

/// <summary>
/// The pod sandboxes' pause image, built here (no image can be pulled from a public registry): Debian's
/// statically linked catatonit in pause mode, which holds the pod's namespaces and reaps, as registry.k8s.io/pause
/// does. Imported straight into containerd's k8s.io namespace, so no registry is needed for it.
/// </summary>
internal static class PauseImage
{
    public const string Reference = "sandbox.local/ops-pause:catatonit";
    private const string Catatonit = "/usr/bin/catatonit";

    public static async Task ImportAsync(string directory, CancellationToken cancellationToken)
    {
        var archive = Path.Combine(directory, "pause.tar");
        new OciImageArchive { EntryPoint = ["/catatonit", "-P"] }.File("/catatonit", Catatonit).Write(archive, Reference);
        var start = new ProcessStartInfo("ctr") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["--address", Path.Combine(directory, ContainerdConfig.SocketName), "--namespace", "k8s.io", "images", "import", archive]) start.ArgumentList.Add(arg);
        using var ctr = Process.Start(start) ?? throw new InvalidOperationException("ctr could not be started");
        var output = ctr.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = ctr.StandardError.ReadToEndAsync(cancellationToken);
        await ctr.WaitForExitAsync(cancellationToken);
        if (ctr.ExitCode != 0) throw new InvalidOperationException($"importing the pause image failed ({ctr.ExitCode}): {await error}{await output}");
    }
}
