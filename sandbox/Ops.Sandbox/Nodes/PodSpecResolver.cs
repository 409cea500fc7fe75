using System.Text;
using System.Text.Json.Nodes;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Nodes;

/// <summary>
/// Turns a pod's spec into what its processes get: environment (values, field, Secret and ConfigMap
/// references), files of its volumes (Secret, ConfigMap, emptyDir, hostPath, and projected ones with a bound
/// service account token as the kubelet requests it), and paths rewritten to where the volumes are on the host.
/// </summary>
internal sealed class PodSpecResolver(ObjectStore store, Security.ServiceAccountTokens tokens)
{
    /// <summary>Raised when something the pod refers to is missing; the kubelet retries, as a real one does.</summary>
    public sealed class ConfigException(string message) : Exception(message);

    public Dictionary<string, string> Environment(JsonObject pod, JsonObject container, SimulatedNode node, string podIp)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in container["env"] as JsonArray ?? [])
        {
            var name = (string?)item?["name"];
            if (name is null) continue;
            if ((string?)item!["value"] is { } value) env[name] = value;
            else if (item["valueFrom"]?["fieldRef"]?["fieldPath"] is JsonValue path) env[name] = Field(pod, (string)path!, node, podIp);
            else if (item["valueFrom"]?["secretKeyRef"] is JsonObject secretRef) env[name] = Encoding.UTF8.GetString(KeyOf("secrets", pod, secretRef));
            else if (item["valueFrom"]?["configMapKeyRef"] is JsonObject mapRef) env[name] = Encoding.UTF8.GetString(KeyOf("configmaps", pod, mapRef));
        }
        return env;
    }

    /// <summary>
    /// Writes Secret and ConfigMap volumes and creates emptyDir ones under the pod's root at their mount
    /// paths; a hostPath is a directory of the node's own (the nodes share one machine), /proc excepted.
    /// Returns mount path to host path.
    /// </summary>
    public Dictionary<string, string> Mounts(JsonObject pod, JsonObject container, string rootfs, string nodeRoot)
    {
        var volumes = (pod["spec"]?["volumes"] as JsonArray ?? []).OfType<JsonObject>().ToDictionary(v => (string?)v["name"] ?? "", StringComparer.Ordinal);
        var mounts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var mount in (container["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var mountPath = ((string?)mount["mountPath"] ?? "").TrimEnd('/');
            var name = (string?)mount["name"] ?? "";
            if (mountPath.Length == 0 || !volumes.TryGetValue(name, out var volume)) throw new ConfigException($"volume mount {name} refers to no volume of the pod");
            if (volume["hostPath"]?["path"] is JsonValue hostPath)
            {
                var path = (string)hostPath!;
                var onNode = path == "/proc" || path.StartsWith("/proc/", StringComparison.Ordinal) ? path : Path.Combine(nodeRoot, path.TrimStart('/'));
                if (onNode != path) Directory.CreateDirectory(onNode);
                mounts[mountPath] = onNode;
                continue;
            }
            var host = Path.Combine(rootfs, mountPath.TrimStart('/'));
            Directory.CreateDirectory(host);
            if (volume["secret"] is JsonObject secret) WriteFiles(host, Data("secrets", Namespace(pod), (string?)secret["secretName"] ?? ""));
            else if (volume["configMap"] is JsonObject map) WriteFiles(host, Data("configmaps", Namespace(pod), (string?)map["name"] ?? ""));
            else if (volume["projected"] is JsonObject projected) WriteFiles(host, Projected(pod, projected));
            // An emptyDir is writable by whatever user the container runs as, as a kubelet makes it (0777).
            else if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(host, (UnixFileMode)0b111_111_111);
            mounts[mountPath] = host;
        }
        return mounts;
    }

    /// <summary>A value that names a mounted path (alone, or after '=' as in --key=/path) is rewritten to the host path.</summary>
    public static string Rewrite(string value, IReadOnlyDictionary<string, string> mounts)
    {
        foreach (var (mountPath, host) in mounts.OrderByDescending(m => m.Key.Length))
        {
            var at = value.StartsWith(mountPath, StringComparison.Ordinal) ? 0 : value.IndexOf("=" + mountPath, StringComparison.Ordinal) is var i and >= 0 ? i + 1 : -1;
            if (at < 0) continue;
            var end = at + mountPath.Length;
            if (end < value.Length && value[end] != '/') continue;
            return value[..at] + host + value[end..];
        }
        return value;
    }

    /// <summary>The files of a projected volume: service account token, ConfigMap and Secret keys, downward API fields.</summary>
    private Dictionary<string, byte[]> Projected(JsonObject pod, JsonObject projected)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var source in (projected["sources"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (source["serviceAccountToken"] is JsonObject token) files[(string?)token["path"] ?? "token"] = Encoding.ASCII.GetBytes(Token(pod, token));
            foreach (var (kind, storageKey) in new[] { ("configMap", "configmaps"), ("secret", "secrets") })
            {
                if (source[kind] is not JsonObject reference) continue;
                var data = Data(storageKey, Namespace(pod), (string?)reference["name"] ?? "");
                var items = (reference["items"] as JsonArray ?? []).OfType<JsonObject>().ToList();
                if (items.Count == 0) foreach (var (key, value) in data) files[key] = value;
                foreach (var item in items)
                {
                    var key = (string?)item["key"] ?? "";
                    files[(string?)item["path"] ?? key] = data.TryGetValue(key, out var value) ? value : throw new ConfigException($"configmap references non-existent config key: {key}");
                }
            }
            foreach (var item in (source["downwardAPI"]?["items"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var field = (string?)item["fieldRef"]?["fieldPath"] ?? "";
                var value = field switch
                {
                    "metadata.name" or "metadata.namespace" or "metadata.uid" => (string?)pod["metadata"]?[field[9..]] ?? "",
                    _ => throw new ConfigException($"downwardAPI field {field} is not supported by the sandbox"),
                };
                files[(string?)item["path"] ?? ""] = Encoding.UTF8.GetBytes(value);
            }
        }
        return files;
    }

    /// <summary>A token of the pod's service account bound to the pod, as the kubelet requests one through a TokenRequest.</summary>
    private string Token(JsonObject pod, JsonObject source)
    {
        var ns = Namespace(pod);
        var name = (string?)pod["spec"]?["serviceAccountName"] ?? "default";
        var account = store.Get("serviceaccounts", StoredObject.KeyOf(ns, name)) ?? throw new ConfigException($"serviceaccount \"{name}\" not found");
        var audiences = (string?)source["audience"] is { Length: > 0 } audience ? [audience] : Array.Empty<string>();
        return tokens.Issue(ns, name, account.Uid, new((string?)pod["metadata"]?["name"] ?? "", (string?)pod["metadata"]?["uid"] ?? ""),
            (long?)source["expirationSeconds"] ?? 3600, audiences).Token;
    }

    private static string Namespace(JsonObject pod) => (string?)pod["metadata"]?["namespace"] ?? "";

    private static string Field(JsonObject pod, string path, SimulatedNode node, string podIp) => path switch
    {
        "metadata.name" => (string?)pod["metadata"]?["name"] ?? "",
        "metadata.namespace" => Namespace(pod),
        "metadata.uid" => (string?)pod["metadata"]?["uid"] ?? "",
        "spec.nodeName" => node.Name,
        "spec.serviceAccountName" => (string?)pod["spec"]?["serviceAccountName"] ?? "",
        "status.podIP" => podIp,
        "status.hostIP" => node.Address,
        _ when path.StartsWith("metadata.labels['", StringComparison.Ordinal) => (string?)pod["metadata"]?["labels"]?[path[17..^2]] ?? "",
        _ => throw new ConfigException($"fieldRef {path} is not supported by the sandbox"),
    };

    private byte[] KeyOf(string storageKey, JsonObject pod, JsonObject reference)
    {
        var data = Data(storageKey, Namespace(pod), (string?)reference["name"] ?? "");
        var key = (string?)reference["key"] ?? "";
        return data.TryGetValue(key, out var value) ? value : throw new ConfigException($"couldn't find key {key} in {storageKey[..^1]} {Namespace(pod)}/{reference["name"]}");
    }

    private Dictionary<string, byte[]> Data(string storageKey, string ns, string name)
    {
        var obj = store.Get(storageKey, StoredObject.KeyOf(ns, name))?.Parse()
            ?? throw new ConfigException($"{storageKey[..^1]} \"{name}\" not found");
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in obj["data"] as JsonObject ?? [])
        {
            data[key] = storageKey == "secrets" ? Convert.FromBase64String((string?)value ?? "") : Encoding.UTF8.GetBytes((string?)value ?? "");
        }
        foreach (var (key, value) in obj["binaryData"] as JsonObject ?? []) data[key] = Convert.FromBase64String((string?)value ?? "");
        return data;
    }

    private static void WriteFiles(string directory, Dictionary<string, byte[]> files)
    {
        foreach (var (name, content) in files)
        {
            if (name.Contains('/') || name is "." or "..") continue;
            File.WriteAllBytes(Path.Combine(directory, name), content);
        }
    }
}
