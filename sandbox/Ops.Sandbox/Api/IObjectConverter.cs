using System.Text.Json.Nodes;

namespace Ops.Sandbox.Api;

/// <summary>Converts between the stored form of an object and the form one served version shows.</summary>
internal interface IObjectConverter
{
    /// <summary>True when stored and served forms differ only by apiVersion (or not at all).</summary>
    bool IsTrivial { get; }

    JsonObject ToServed(JsonObject stored, ResourceType type);

    JsonObject ToStorage(JsonObject served, ResourceType type);
}
