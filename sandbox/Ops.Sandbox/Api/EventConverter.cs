using System.Text.Json.Nodes;

namespace Ops.Sandbox.Api;

/// <summary>
/// Events are stored once, in core/v1 form; events.k8s.io/v1 is a view with renamed fields, so an
/// event recorded through either API is listed by both (as on a real cluster).
/// </summary>
internal sealed class EventConverter : IObjectConverter
{
    // events.k8s.io/v1 name -> core/v1 name
    private static readonly (string Events, string Core)[] Renames =
    [
        ("regarding", "involvedObject"), ("note", "message"), ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"), ("deprecatedLastTimestamp", "lastTimestamp"), ("deprecatedCount", "count"),
        ("reportingController", "reportingComponent"),
    ];

    public static readonly EventConverter Instance = new();

    public bool IsTrivial => false;

    public JsonObject ToServed(JsonObject stored, ResourceType type)
    {
        stored["apiVersion"] = type.ApiVersion;
        if (type.Group.Length == 0) return stored;
        foreach (var (events, core) in Renames) Move(stored, core, events);
        return stored;
    }

    public JsonObject ToStorage(JsonObject served, ResourceType type)
    {
        served["apiVersion"] = "v1";
        if (type.Group.Length == 0) return served;
        foreach (var (events, core) in Renames) Move(served, events, core);
        if (served["source"] is null && served["reportingComponent"] is JsonValue component)
        {
            served["source"] = new JsonObject { ["component"] = component.DeepClone(), ["host"] = served["reportingInstance"]?.DeepClone() };
        }
        return served;
    }

    private static void Move(JsonObject obj, string from, string to)
    {
        if (!obj.TryGetPropertyValue(from, out var value)) return;
        obj.Remove(from);
        obj[to] = value;
    }
}
