using System.Text.Json.Nodes;

namespace Ops.Sandbox.Api;

/// <summary>Versions that share a schema (a CRD's versions with strategy None): only apiVersion changes.</summary>
internal sealed class ApiVersionConverter : IObjectConverter
{
    public static readonly ApiVersionConverter Instance = new();

    public bool IsTrivial => true;

    public JsonObject ToServed(JsonObject stored, ResourceType type)
    {
        stored["apiVersion"] = type.ApiVersion;
        return stored;
    }

    public JsonObject ToStorage(JsonObject served, ResourceType type)
    {
        served["apiVersion"] = type.StorageApiVersion;
        return served;
    }
}
