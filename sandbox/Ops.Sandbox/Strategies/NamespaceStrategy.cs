using System.Text.Json.Nodes;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Strategies;

/// <summary>Namespaces start Active with the kubernetes finalizer, and carry their name as a label.</summary>
internal sealed class NamespaceStrategy : IResourceStrategy
{
    public string StorageKey => BuiltInResources.NamespaceStorageKey;

    public void PrepareForCreate(JsonObject obj, DateTimeOffset now)
    {
        obj["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
        obj["status"] = new JsonObject { ["phase"] = "Active" };
        SetNameLabel(obj);
    }

    public void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        obj["spec"] = old["spec"]?.DeepClone();
        SetNameLabel(obj);
    }

    private static void SetNameLabel(JsonObject obj)
    {
        var metadata = obj["metadata"]!.AsObject();
        if (metadata["labels"] is not JsonObject labels) metadata["labels"] = labels = [];
        labels["kubernetes.io/metadata.name"] = (string?)metadata["name"];
    }
}
