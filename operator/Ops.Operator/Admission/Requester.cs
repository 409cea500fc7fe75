using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Ops.Operator.Admission;

/// <summary>
/// Who asked for a DiagnosticCommand or ScheduledTask: the user and groups of the admission request that created it,
/// stamped by the mutating webhook in <see cref="Annotation"/> and immutable afterwards (the validating webhook refuses a
/// change). The commands a ScheduledTask creates carry the task's requester.
/// </summary>
public sealed record Requester(
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("groups")] IReadOnlyList<string> Groups,
    [property: JsonPropertyName("seal"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Seal = null)
{
    public const string Annotation = "ops.dev/requested-by";

    public string ToAnnotation() => JsonSerializer.Serialize(this);

    /// <summary>The requester stamped on an object, or null (created while the webhook was down, or before it existed).</summary>
    public static Requester? Of(V1ObjectMeta? metadata) =>
        metadata?.Annotations is { } annotations && annotations.TryGetValue(Annotation, out var text) && text.Length > 0 ? Parse(text) : null;

    /// <summary>An annotation that is not what the webhook writes still names someone: kept whole as the user, with no groups.</summary>
    public static Requester Parse(string annotation)
    {
        try
        {
            if (JsonSerializer.Deserialize<Requester>(annotation) is { Username.Length: > 0 } parsed) return parsed with { Groups = parsed.Groups ?? [] };
        }
        catch (JsonException)
        {
        }
        return new Requester(annotation, []);
    }

    /// <summary>"alice (groups shop-devs, system:authenticated)", for Events and logs (whether the webhook stamped it: <see cref="RequesterSeal"/>).</summary>
    public string Describe() => Groups.Count == 0 ? Username : $"{Username} (groups {string.Join(", ", Groups)})";
}
