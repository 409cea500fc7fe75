using System.Text.Json.Nodes;
using Ops.Sandbox.Validation;

namespace Ops.Sandbox.Api;

/// <summary>The resource types a CustomResourceDefinition serves: one per served version.</summary>
internal static class CrdResourceTypes
{
    public static IReadOnlyList<ResourceType> From(JsonObject crd)
    {
        var spec = crd["spec"]!.AsObject();
        var names = spec["names"]!.AsObject();
        var group = (string)spec["group"]!;
        var versions = spec["versions"]!.AsArray().OfType<JsonObject>().ToList();
        var storageVersion = (string?)versions.FirstOrDefault(v => (bool?)v["storage"] == true)?["name"] ?? (string)versions[0]["name"]!;
        var types = new List<ResourceType>();
        foreach (var version in versions.Where(v => (bool?)v["served"] != false))
        {
            var printerColumns = (version["additionalPrinterColumns"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
            IReadOnlyList<TableColumn> columns = printerColumns.Count == 0
                ? [ColumnFactory.Age()]
                : [.. printerColumns.Select(c => ColumnFactory.Path((string)c["name"]!, (string)c["jsonPath"]!, (string?)c["type"] ?? "string", (int?)c["priority"] ?? 0) with
                {
                    Description = (string?)c["description"] ?? "",
                    Format = (string?)c["format"] ?? "",
                })];
            types.Add(new ResourceType
            {
                Group = group,
                Version = (string)version["name"]!,
                Kind = (string)names["kind"]!,
                Plural = (string)names["plural"]!,
                Namespaced = (string?)spec["scope"] != "Cluster",
                ShortNames = (names["shortNames"] as JsonArray)?.Select(s => (string)s!).ToList() ?? [],
                Categories = (names["categories"] as JsonArray)?.Select(s => (string)s!).ToList() ?? [],
                StorageApiVersion = $"{group}/{storageVersion}",
                HasStatusSubresource = version["subresources"]?["status"] is not null,
                HasGeneration = true,
                ReturnsDeletedObject = true,
                AllowUnconditionalUpdate = false,
                IsCustom = true,
                Columns = columns,
                SelectableFields = (version["selectableFields"] as JsonArray)?.Select(f => ((string)f!["jsonPath"]!).TrimStart('.')).ToList() ?? [],
                Schema = version["schema"]?["openAPIV3Schema"] is JsonObject schema ? StructuralSchema.Parse(schema) : null,
                RawSchema = version["schema"]?["openAPIV3Schema"]?.DeepClone() as JsonObject,
            });
        }
        return types;
    }
}
