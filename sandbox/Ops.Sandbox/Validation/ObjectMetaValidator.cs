using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Validation;

/// <summary>The metadata checks every kind shares: name, labels, annotations, finalizers.</summary>
internal static partial class ObjectMetaValidator
{
    public const string SubdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    public const string LabelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    /// <summary>Checks values; the JSON types were already checked by <see cref="ObjectMetaShape"/>.</summary>
    public static void Validate(ResourceType type, JsonObject metadata, List<FieldError> errors)
    {
        var name = (string?)metadata["name"] ?? "";
        if (name.Length == 0)
        {
            errors.Add(FieldError.Required("metadata.name"));
        }
        else if (type.NameIsPathSegment)
        {
            if (name is "." or ".." || name.Contains('/') || name.Contains('%')) errors.Add(FieldError.Invalid("metadata.name", $"\"{name}\"", $"may not {(name.Length <= 2 ? $"be '{name}'" : "contain '/' or '%'")}"));
        }
        else if (type.NameIsLabel ? !IsDnsLabel(name) : name.Length > 253 || !Subdomain().IsMatch(name))
        {
            errors.Add(FieldError.Invalid("metadata.name", $"\"{name}\"", type.NameIsLabel ? LabelMessage : SubdomainMessage));
        }
        if (metadata["labels"] is JsonObject labels)
        {
            foreach (var (key, value) in labels)
            {
                if (!IsQualifiedName(key)) errors.Add(FieldError.Invalid("metadata.labels", $"\"{key}\"", "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
                var text = value!.GetValue<string>();
                if (text.Length > 63 || (text.Length > 0 && !LabelValue().IsMatch(text)))
                {
                    errors.Add(FieldError.Invalid($"metadata.labels", $"\"{value?.ToJsonString()}\"", "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
                }
            }
        }
        if (metadata["annotations"] is JsonObject annotations)
        {
            long size = 0;
            foreach (var (key, value) in annotations)
            {
                if (!IsQualifiedName(key)) errors.Add(FieldError.Invalid("metadata.annotations", $"\"{key}\"", "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
                size += key.Length + value!.GetValue<string>().Length;
            }
            if (size > 256 * 1024) errors.Add(FieldError.TooLong("metadata.annotations", 256 * 1024));
        }
        if (metadata["finalizers"] is JsonArray finalizers)
        {
            foreach (var finalizer in finalizers)
            {
                if (!IsQualifiedName(finalizer!.GetValue<string>()))
                {
                    errors.Add(FieldError.Invalid("metadata.finalizers", finalizer.ToJsonString(), "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
                }
            }
        }
    }

    public static bool IsDnsLabel(string name) => name.Length <= 63 && Label().IsMatch(name);

    private static bool IsQualifiedName(string key)
    {
        var slash = key.IndexOf('/');
        var name = slash < 0 ? key : key[(slash + 1)..];
        var prefix = slash < 0 ? null : key[..slash];
        return name.Length is > 0 and <= 63 && LabelValue().IsMatch(name) && (prefix is null || (prefix.Length <= 253 && Subdomain().IsMatch(prefix)));
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();
}
