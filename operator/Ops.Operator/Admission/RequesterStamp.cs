using System.Text.Json.Nodes;

namespace Ops.Operator.Admission;

/// <summary>
/// The mutating webhook's one change: a created DiagnosticCommand or ScheduledTask carries who created it in
/// <see cref="Requester.Annotation"/>. What the creator wrote there is replaced — nobody may name someone else — except
/// when the creator is the operator itself, which copies the requester of the ScheduledTask it runs.
/// </summary>
public static class RequesterStamp
{
    /// <summary>The JSONPatch for a CREATE, or null when nothing changes.</summary>
    public static JsonArray? Patch(AdmissionRequest request, string operatorUser, RequesterSeal seal)
    {
        if (request.Operation != "CREATE" || request.Object is not { } created) return null;
        var annotations = created["metadata"]?["annotations"] as JsonObject;
        var written = (string?)annotations?[Requester.Annotation];
        if (request.Username == operatorUser && written is { Length: > 0 }) return null;
        var stamp = seal.Sealed(request.Namespace, new Requester(request.Username, request.Groups)).ToAnnotation();
        if (written == stamp) return null;
        // JSON Pointer escapes "/" in the annotation's key as "~1".
        return annotations is null
            ? [new JsonObject { ["op"] = "add", ["path"] = "/metadata/annotations", ["value"] = new JsonObject { [Requester.Annotation] = stamp } }]
            : [new JsonObject { ["op"] = "add", ["path"] = "/metadata/annotations/" + Requester.Annotation.Replace("~", "~0").Replace("/", "~1"), ["value"] = stamp }];
    }
}
