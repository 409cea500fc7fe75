namespace Ops.Sandbox.Nodes;

/// <summary>A node of the sandbox: a name and a loopback address of its own, on which its pods' processes run.</summary>
public sealed record SimulatedNode(string Name, int Index, IReadOnlyDictionary<string, string> Labels, int Cluster)
{
    /// <summary>127.0.0.(10+index): the node's InternalIP, and the pod IP of its hostNetwork pods.</summary>
    public string Address => $"127.0.0.{10 + Index}";

    /// <summary>The n-th pod IP of this node (other pods): 127.(cluster).(index).(n%254+1), a range of its own on the loopback.</summary>
    public string PodAddress(int n) => $"127.{Cluster}.{Index}.{n % 254 + 1}";

    /// <summary>The name of the index-th node (from 1).</summary>
    public static string NameOf(int index) => $"node-{index}";

    /// <summary>Whether a sandbox of <paramref name="count"/> nodes runs the node named <paramref name="name"/>.</summary>
    public static bool Runs(string name, int count) =>
        name.StartsWith("node-", StringComparison.Ordinal) && int.TryParse(name.AsSpan(5), System.Globalization.NumberStyles.None, null, out var index) && index >= 1 && index <= count && name == NameOf(index);
}
