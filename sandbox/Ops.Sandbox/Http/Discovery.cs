using System.Text.Json.Nodes;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Http;

/// <summary>The legacy discovery documents (/api, /apis, /apis/g, /apis/g/v, /version) kubectl and clients read.</summary>
internal static class Discovery
{
    private static readonly string[] Verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = "v1.32.0-ops-sandbox",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2026-01-01T00:00:00Z",
        ["goVersion"] = "go1.23.0",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public static JsonObject GroupList(ResourceCatalog catalog) => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray([.. catalog.Groups().Where(g => g.Group.Length > 0).Select(g => (JsonNode)Group(g.Group, g.Versions, withKind: false))]),
    };

    public static JsonObject? Group(ResourceCatalog catalog, string name)
    {
        var found = catalog.Groups().FirstOrDefault(g => g.Group == name);
        return found.Group is null || name.Length == 0 ? null : Group(found.Group, found.Versions, withKind: true);
    }

    public static JsonObject? ResourceList(ResourceCatalog catalog, string group, string version)
    {
        var types = catalog.OfGroupVersion(group, version);
        if (types.Count == 0) return null;
        var resources = new JsonArray();
        foreach (var type in types)
        {
            resources.Add(new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = type.Singular,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = new JsonArray([.. Verbs.Select(v => (JsonNode)v)]),
                ["shortNames"] = type.ShortNames.Count > 0 ? new JsonArray([.. type.ShortNames.Select(s => (JsonNode)s)]) : null,
                ["categories"] = type.Categories.Count > 0 ? new JsonArray([.. type.Categories.Select(s => (JsonNode)s)]) : null,
            });
            if (type.HasStatusSubresource)
            {
                resources.Add(new JsonObject
                {
                    ["name"] = type.Plural + "/status",
                    ["singularName"] = "",
                    ["namespaced"] = type.Namespaced,
                    ["kind"] = type.Kind,
                    ["verbs"] = new JsonArray("get", "patch", "update"),
                });
            }
            if (ScaleSubresource.Serves(type))
            {
                resources.Add(new JsonObject
                {
                    ["name"] = type.Plural + "/scale", ["singularName"] = "", ["namespaced"] = true, ["group"] = "autoscaling", ["version"] = "v1", ["kind"] = "Scale",
                    ["verbs"] = new JsonArray("get", "patch", "update"),
                });
            }
            if (type.StorageKey == "pods")
            {
                resources.Add(new JsonObject { ["name"] = "pods/log", ["singularName"] = "", ["namespaced"] = true, ["kind"] = "Pod", ["verbs"] = new JsonArray("get") });
            }
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    private static JsonObject Group(string name, IReadOnlyList<string> versions, bool withKind)
    {
        var preferred = versions.OrderByDescending(VersionPriority).First();
        var group = new JsonObject
        {
            ["name"] = name,
            ["versions"] = new JsonArray([.. versions.OrderByDescending(VersionPriority).Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{name}/{v}", ["version"] = v })]),
            ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{name}/{preferred}", ["version"] = preferred },
        };
        if (withKind)
        {
            group["kind"] = "APIGroup";
            group["apiVersion"] = "v1";
        }
        return group;
    }

    /// <summary>Kubernetes version priority: GA over beta over alpha, then by number.</summary>
    private static int VersionPriority(string version)
    {
        var match = System.Text.RegularExpressions.Regex.Match(version, @"^v(\d+)(?:(alpha|beta)(\d+))?$");
        if (!match.Success) return 0;
        var major = int.Parse(match.Groups[1].Value);
        var stage = match.Groups[2].Value switch { "" => 3, "beta" => 2, _ => 1 };
        var minor = match.Groups[3].Success ? int.Parse(match.Groups[3].Value) : 0;
        return stage * 1_000_000 + major * 1000 + minor;
    }
}
