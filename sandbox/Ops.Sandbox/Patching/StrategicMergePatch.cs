using System.Text.Json.Nodes;

namespace Ops.Sandbox.Patching;

/// <summary>
/// Strategic merge patch, approximated without Go struct tags: a merge patch in which lists whose
/// field is known to merge by key (containers by name, conditions by type, ...) merge item by item,
/// finalizers merge as a set, and the $patch, $retainKeys and $deleteFromPrimitiveList directives
/// work. Custom resources do not accept it, as on a real server.
/// </summary>
internal static class StrategicMergePatch
{
    private static readonly Dictionary<string, string> MergeKeys = new(StringComparer.Ordinal)
    {
        ["containers"] = "name", ["initContainers"] = "name", ["ephemeralContainers"] = "name",
        ["env"] = "name", ["volumes"] = "name", ["volumeMounts"] = "mountPath", ["volumeDevices"] = "devicePath",
        ["imagePullSecrets"] = "name", ["conditions"] = "type", ["ownerReferences"] = "uid", ["hostAliases"] = "ip",
        ["topologySpreadConstraints"] = "topologyKey", ["addresses"] = "type", ["resourceClaims"] = "name",
        ["containerStatuses"] = "name", ["initContainerStatuses"] = "name",
    };

    private static readonly HashSet<string> MergedPrimitiveLists = new(StringComparer.Ordinal) { "finalizers" };

    public static JsonNode? Apply(JsonNode? target, JsonNode? patch) => Merge(target?.DeepClone(), patch);

    private static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject) return patch?.DeepClone();
        var directive = (string?)patchObject["$patch"];
        if (directive == "delete") return null;
        if (directive == "replace")
        {
            var replaced = patchObject.DeepClone().AsObject();
            replaced.Remove("$patch");
            return replaced;
        }
        var result = target as JsonObject ?? [];
        if (patchObject["$retainKeys"] is JsonArray retain)
        {
            var keep = retain.Select(k => (string?)k).ToHashSet();
            foreach (var key in result.Select(p => p.Key).Where(k => !keep.Contains(k)).ToList()) result.Remove(key);
        }
        foreach (var (key, value) in patchObject)
        {
            if (key is "$patch" or "$retainKeys" || key.StartsWith("$setElementOrder/", StringComparison.Ordinal)) continue;
            if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var field = key["$deleteFromPrimitiveList/".Length..];
                if (result[field] is JsonArray list && value is JsonArray remove)
                {
                    foreach (var item in list.Where(i => remove.Any(r => JsonNode.DeepEquals(r, i))).ToList()) list.Remove(item);
                }
                continue;
            }
            if (value is null) { result.Remove(key); continue; }
            var existing = result.TryGetPropertyValue(key, out var current) ? current : null;
            if (value is JsonArray patchList && existing is JsonArray targetList)
            {
                result[key] = MergeList(key, targetList, patchList);
                continue;
            }
            var merged = Merge(existing, value);
            if (merged is null) result.Remove(key); else result[key] = merged;
        }
        return result;
    }

    private static JsonArray MergeList(string field, JsonArray target, JsonArray patch)
    {
        if (patch.Any(i => i is JsonObject o && (string?)o["$patch"] == "replace"))
        {
            return [.. patch.Where(i => !(i is JsonObject o && (string?)o["$patch"] == "replace")).Select(i => i?.DeepClone())];
        }
        if (MergedPrimitiveLists.Contains(field))
        {
            var union = new JsonArray([.. target.Select(i => i?.DeepClone())]);
            foreach (var item in patch.Where(i => !union.Any(u => JsonNode.DeepEquals(u, i)))) union.Add(item?.DeepClone());
            return union;
        }
        if (!MergeKeys.TryGetValue(field, out var mergeKey) || patch.Any(i => i is not JsonObject))
        {
            return [.. patch.Select(i => i?.DeepClone())];
        }
        if (field == "ports" && patch.All(i => i is JsonObject o && o.ContainsKey("containerPort"))) mergeKey = "containerPort";
        var result = new JsonArray([.. target.Select(i => i?.DeepClone())]);
        foreach (var item in patch.OfType<JsonObject>())
        {
            var index = IndexOf(result, mergeKey, item[mergeKey]);
            if ((string?)item["$patch"] == "delete")
            {
                if (index >= 0) result.RemoveAt(index);
            }
            else if (index >= 0)
            {
                result[index] = Merge(result[index]!.DeepClone(), item);
            }
            else
            {
                var added = item.DeepClone().AsObject();
                added.Remove("$patch");
                result.Add(added);
            }
        }
        return result;
    }

    private static int IndexOf(JsonArray list, string key, JsonNode? value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is JsonObject o && JsonNode.DeepEquals(o[key], value)) return i;
        }
        return -1;
    }
}
