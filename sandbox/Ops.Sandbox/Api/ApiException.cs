using System.Text.Json.Nodes;

namespace Ops.Sandbox.Api;

/// <summary>
/// An API error that becomes a metav1.Status body with the HTTP code and reason a real API server
/// would give; everything the sandbox rejects goes through this type.
/// </summary>
internal sealed class ApiException(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;
    public JsonObject? Details { get; } = details;

    public JsonObject ToStatus() => StatusBody.Failure(Code, Reason, Message, Details?.DeepClone().AsObject());

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);
    public static ApiException Forbidden(string message) => new(403, "Forbidden", message);
    public static ApiException MethodNotAllowed(string message) => new(405, "MethodNotAllowed", message);
    public static ApiException UnsupportedMediaType(string message) => new(415, "UnsupportedMediaType", message);
    public static ApiException TooLarge(string message) => new(413, "RequestEntityTooLarge", message);
    public static ApiException Expired(string message) => new(410, "Expired", message);

    public static ApiException NotFound(ResourceType type, string name) =>
        new(404, "NotFound", $"{type.QualifiedPlural} \"{name}\" not found", DetailsOf(type, name));

    public static ApiException AlreadyExists(ResourceType type, string name) =>
        new(409, "AlreadyExists", $"{type.QualifiedPlural} \"{name}\" already exists", DetailsOf(type, name));

    public static ApiException Conflict(ResourceType type, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {type.QualifiedPlural} \"{name}\": {why}", DetailsOf(type, name));

    public static ApiException Invalid(ResourceType type, string name, IReadOnlyList<FieldError> errors)
    {
        var details = DetailsOf(type, name, type.Kind);
        details["causes"] = new JsonArray([.. errors.Select(e => (JsonNode)new JsonObject
        {
            ["reason"] = e.Reason,
            ["message"] = e.Detail,
            ["field"] = e.Field,
        })]);
        var joined = errors.Count == 1 ? errors[0].ToString() : "[" + string.Join(", ", errors) + "]";
        var kind = type.Group.Length == 0 ? type.Kind : $"{type.Kind}.{type.Group}";
        return new ApiException(422, "Invalid", $"{kind} \"{name}\" is invalid: {joined}", details);
    }

    private static JsonObject DetailsOf(ResourceType type, string name, string? kind = null) => new()
    {
        ["name"] = name,
        ["group"] = type.Group,
        ["kind"] = kind ?? type.Plural,
    };
}
