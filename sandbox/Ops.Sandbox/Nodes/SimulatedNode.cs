namespace Ops.Sandbox.Nodes;

/// <summary>A node of the sandbox: a name and a loopback address of its own, on which its pods' processes run.</summary>
public sealed record SimulatedNode(string Name, int Index, IReadOnlyDictionary<string, string> Labels, int Cluster)
{
    /// <summary>
    /// The node's InternalIP, and the pod IP of its hostNetwork pods: 127.0.0.(10+index) for the first
    /// 244 nodes, then 127.0.1.1, 127.0.1.2 ... (254 to a third octet), so thousands of nodes fit.
    /// </summary>
    public string Address => AddressOf(Index);

    /// <summary>The address of the index-th node (from 1), known before the sandbox starts it.</summary>
    public static string AddressOf(int index) => index <= 244 ? $"127.0.0.{10 + index}" : $"127.0.{1 + (index - 245) / 254}.{(index - 245) % 254 + 1}";

    /// <summary>
    /// The n-th pod IP of the sandbox (pods not on the host network): 127.(cluster).(n/254).(n%254+1), a
    /// range of the sandbox's own on the loopback; reused only after 65,000 pods.
    /// </summary>
    public string PodAddress(int n) => $"127.{Cluster}.{n / 254 % 256}.{n % 254 + 1}";

    /// <summary>The name of the index-th node (from 1).</summary>
    public static string NameOf(int index) => $"node-{index}";

    /// <summary>Whether a sandbox of <paramref name="count"/> nodes runs the node named <paramref name="name"/>.</summary>
    public static bool Runs(string name, int count) =>
        name.StartsWith("node-", StringComparison.Ordinal) && int.TryParse(name.AsSpan(5), System.Globalization.NumberStyles.None, null, out var index) && index >= 1 && index <= count && name == NameOf(index);
}
