using System.Text;

namespace Ops.Sandbox.Containers;

/// <summary>
/// The config of the sandbox's own containerd: root, state, socket and plugin folders under its directory (it
/// shares nothing with a containerd the machine may run), the CRI plugin's pause image built here, no AppArmor
/// profile (the sandbox installs none), OOM scores no lower than its own, and a plain-HTTP mirror entry for each loopback registry.
/// </summary>
internal static class ContainerdConfig
{
    public const string FileName = "config.toml";
    public const string SocketName = "containerd.sock";

    public static string Render(string directory, string pauseImage, IReadOnlyList<string> insecureRegistries)
    {
        var text = new StringBuilder($"""
            version = 2
            root = "{directory}/root"
            state = "{directory}/state"
            # Snapshotters this machine cannot use; overlayfs is the one the CRI plugin uses.
            disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]

            [grpc]
              address = "{directory}/{SocketName}"

            [plugins."io.containerd.internal.v1.opt"]
              path = "{directory}/opt"

            [plugins."io.containerd.grpc.v1.cri"]
              sandbox_image = "{pauseImage}"
              disable_apparmor = true
              # Pause containers get -998 and containers scores by QoS; where the sandbox lacks CAP_SYS_RESOURCE
              # (as here) lowering a score fails and runc cannot start the container: clamp to containerd's own.
              restrict_oom_score_adj = true
              [plugins."io.containerd.grpc.v1.cri".containerd]
                snapshotter = "overlayfs"
                default_runtime_name = "runc"
                [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                  runtime_type = "io.containerd.runc.v2"

            """);
        foreach (var registry in insecureRegistries)
        {
            text.Append($"""
                [plugins."io.containerd.grpc.v1.cri".registry.mirrors."{registry}"]
                  endpoint = ["http://{registry}"]

                """);
        }
        return text.ToString();
    }
}
