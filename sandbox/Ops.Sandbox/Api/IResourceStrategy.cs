using System.Text.Json.Nodes;

namespace Ops.Sandbox.Api;

/// <summary>
/// What one built-in kind adds to the generic verbs (defaults, lifecycle fields, validation), as the
/// API server's registry strategies do. Registered by storage key.
/// </summary>
internal interface IResourceStrategy
{
    string StorageKey { get; }

    void PrepareForCreate(JsonObject obj, DateTimeOffset now) { }

    void PrepareForUpdate(JsonObject obj, JsonObject old) { }

    void Validate(JsonObject obj, JsonObject? old, List<FieldError> errors) { }

    /// <summary>
    /// Seconds the object lingers, marked with deletionTimestamp, before it goes (a pod on a node stops
    /// its containers first); null to remove it at once.
    /// </summary>
    int? GracePeriodSeconds(JsonObject obj, DeleteOptions options) => null;
}
