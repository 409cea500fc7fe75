namespace Ops.Sandbox.Hosting;

/// <summary>How a sandbox API server runs.</summary>
public sealed record SandboxOptions
{
    /// <summary>Port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>When set, objects, certificates and the token survive a restart here.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Where to write the kubeconfig; inside the data directory, or a temp directory, when absent.</summary>
    public string? KubeconfigPath { get; init; }

    /// <summary>Changes kept for watch resumption; a watch from further back gets 410 Expired.</summary>
    public int HistoryCapacity { get; init; } = 10_000;

    /// <summary>Events a slow watcher may have queued before it is closed.</summary>
    public int WatcherCapacity { get; init; } = 10_000;

    /// <summary>How often watchers that asked for bookmarks get one.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bearer token clients must present; generated (or read from the data directory) when absent.</summary>
    public string? Token { get; init; }

    /// <summary>Manifests (CRDs first) applied at start-up, like <c>kubectl apply -f</c>.</summary>
    public IReadOnlyList<string> ManifestDirectories { get; init; } = [];

    /// <summary>Simulated nodes (node-1 ... node-N) whose kubelet runs pods as real processes; none: pods are only stored.</summary>
    public int Nodes { get; init; }

    /// <summary>Labels a simulated node carries beyond the well-known ones, by node name (a canary label on node-1, say).</summary>
    public Func<string, IReadOnlyDictionary<string, string>>? NodeLabels { get; init; }

    /// <summary>
    /// When set, the nodes' kubelet runs pods as containers of a containerd of the sandbox's own, over the CRI
    /// (root needed); otherwise as processes of this machine (<see cref="Images"/>).
    /// </summary>
    public Containers.ContainerdOptions? Containerd { get; init; }

    /// <summary>What the process runtime runs for each image name (registry and tag ignored); unused under containerd.</summary>
    public IReadOnlyDictionary<string, Nodes.SandboxImage> Images { get; init; } = new Dictionary<string, Nodes.SandboxImage>();
}
