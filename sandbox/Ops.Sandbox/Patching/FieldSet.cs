using System.Text.Json.Nodes;

namespace Ops.Sandbox.Patching;

/// <summary>
/// The set of leaf field paths an object sets, as server-side apply tracks ownership. Maps are
/// walked to their leaves; lists are atomic (owned as a whole), which is what the API server does for
/// lists without x-kubernetes-list-type map/set. Encoded in managedFields as FieldsV1.
/// </summary>
internal sealed class FieldSet
{
    // Identity and server-owned metadata is never owned by a manager.
    private static readonly HashSet<string> UntrackedMetadata = new(StringComparer.Ordinal)
    {
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "managedFields", "selfLink", "generateName",
    };

    private readonly HashSet<string> _paths;

    private FieldSet(HashSet<string> paths) => _paths = paths;

    public static FieldSet Empty => new([]);

    public IReadOnlyCollection<string> Paths => _paths;

    public bool IsEmpty => _paths.Count == 0;

    public static string Join(IEnumerable<string> parts) => string.Join('\u001f', parts);

    public static string[] Split(string path) => path.Split('\u001f');

    public static string Display(string path) => "." + string.Join('.', Split(path));

    /// <summary>The leaves of an object, with the values they hold.</summary>
    public static Dictionary<string, JsonNode?> Leaves(JsonObject obj)
    {
        var leaves = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (key, value) in obj)
        {
            if (key is "apiVersion" or "kind") continue;
            if (key == "metadata" && value is JsonObject metadata)
            {
                foreach (var (metaKey, metaValue) in metadata)
                {
                    if (!UntrackedMetadata.Contains(metaKey)) Walk([key, metaKey], metaValue, leaves);
                }
                continue;
            }
            Walk([key], value, leaves);
        }
        return leaves;
    }

    public static FieldSet Of(JsonObject obj) => new([.. Leaves(obj).Keys]);

    public static FieldSet FromPaths(IEnumerable<string> paths) => new([.. paths]);

    /// <summary>True when this set owns the path itself, a parent of it, or anything under it.</summary>
    public bool Overlaps(string path)
    {
        if (_paths.Contains(path)) return true;
        var prefix = path + '\u001f';
        return _paths.Any(p => p.StartsWith(prefix, StringComparison.Ordinal) || path.StartsWith(p + '\u001f', StringComparison.Ordinal));
    }

    public FieldSet Without(IEnumerable<string> paths)
    {
        var copy = new HashSet<string>(_paths);
        foreach (var path in paths) copy.RemoveWhere(p => p == path || p.StartsWith(path + '\u001f', StringComparison.Ordinal) || path.StartsWith(p + '\u001f', StringComparison.Ordinal));
        return new FieldSet(copy);
    }

    public FieldSet With(IEnumerable<string> paths) => new([.. _paths, .. paths]);

    public JsonObject ToFieldsV1()
    {
        var root = new JsonObject();
        foreach (var path in _paths.Order(StringComparer.Ordinal))
        {
            var node = root;
            foreach (var part in Split(path))
            {
                var key = "f:" + part;
                if (node[key] is not JsonObject child) node[key] = child = [];
                node = child;
            }
        }
        return root;
    }

    public static FieldSet FromFieldsV1(JsonObject? fields)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        void Visit(JsonObject node, List<string> prefix)
        {
            var children = node.Where(p => p.Key.StartsWith("f:", StringComparison.Ordinal)).ToList();
            var listItems = node.Any(p => p.Key.Length > 2 && p.Key[1] == ':' && p.Key[0] is 'k' or 'v' or 'i');
            if ((children.Count == 0 || listItems) && prefix.Count > 0) { paths.Add(Join(prefix)); return; }
            foreach (var (key, value) in children)
            {
                prefix.Add(key[2..]);
                Visit(value as JsonObject ?? [], prefix);
                prefix.RemoveAt(prefix.Count - 1);
            }
        }
        if (fields is not null) Visit(fields, []);
        return new FieldSet(paths);
    }

    private static void Walk(List<string> path, JsonNode? value, Dictionary<string, JsonNode?> leaves)
    {
        if (value is JsonObject obj && obj.Count > 0)
        {
            foreach (var (key, child) in obj)
            {
                path.Add(key);
                Walk(path, child, leaves);
                path.RemoveAt(path.Count - 1);
            }
            return;
        }
        leaves[Join(path)] = value;
    }
}
