namespace Ops.Sandbox.Api;

/// <summary>One field's validation failure, worded as the Kubernetes field.Error type words it.</summary>
internal sealed record FieldError(string Field, string Reason, string Detail)
{
    public static FieldError Required(string field) => new(field, "FieldValueRequired", "Required value");

    public static FieldError Invalid(string field, string shownValue, string why) =>
        new(field, "FieldValueInvalid", $"Invalid value: {shownValue}: {why}");

    public static FieldError NotSupported(string field, string shownValue, IEnumerable<string> supported) =>
        new(field, "FieldValueNotSupported", $"Unsupported value: {shownValue}: supported values: {string.Join(", ", supported)}");

    public static FieldError TooLong(string field, long max) => new(field, "FieldValueTooLong", $"Too long: may not be longer than {max}");

    public static FieldError TooMany(string field, int count, long max) =>
        new(field, "FieldValueTooMany", $"Too many: {count}: must have at most {max} items");

    public static FieldError Forbidden(string field, string why) => new(field, "FieldValueForbidden", $"Forbidden: {why}");

    public override string ToString() => $"{Field}: {Detail}";
}
