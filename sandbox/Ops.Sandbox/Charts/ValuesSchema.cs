using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ops.Sandbox.Charts;

/// <summary>
/// Checks a chart's values against its values.schema.json before rendering, as <c>helm install</c> does, with
/// the messages Helm prints (one line per violation, the value's dotted path first). The JSON Schema keywords
/// a values schema uses: type, properties, additionalProperties, required, items, enum, minimum, maximum,
/// minLength and pattern; anything else in the schema is ignored, as an unknown keyword is.
/// </summary>
public static class ValuesSchema
{
    /// <summary>The violations, empty when the values conform (or the chart has no schema).</summary>
    public static IReadOnlyList<string> Check(string chartDirectory, Dictionary<object, object> values)
    {
        var file = Path.Combine(chartDirectory, "values.schema.json");
        if (!File.Exists(file)) return [];
        var errors = new List<string>();
        Check(JsonNode.Parse(File.ReadAllText(file)) as JsonObject ?? [], values, "", errors);
        return errors;
    }

    /// <summary>Throws with Helm's message when the values do not conform.</summary>
    public static void Validate(string chartDirectory, string chartName, Dictionary<object, object> values)
    {
        var errors = Check(chartDirectory, values);
        if (errors.Count > 0)
        {
            throw new FormatException($"values don't meet the specifications of the schema(s) in the following chart(s):\n{chartName}:\n{string.Join('\n', errors.Select(e => "- " + e))}");
        }
    }

    private static void Check(JsonObject schema, object? value, string path, List<string> errors)
    {
        var at = path.Length == 0 ? "(root)" : path;
        if (schema["type"] is { } type)
        {
            var allowed = type is JsonArray many ? many.Select(t => (string?)t ?? "").ToList() : [(string?)type ?? ""];
            var actual = TypeOf(value);
            if (!allowed.Contains(actual) && !(actual == "integer" && allowed.Contains("number")))
            {
                errors.Add($"{at}: Invalid type. Expected: {string.Join(", ", allowed)}, given: {actual}");
                return;
            }
        }
        if (schema["enum"] is JsonArray choices && !choices.Any(c => Equals(Scalar(c), Scalar(value))))
        {
            errors.Add($"{at}: {at} must be one of the following: {string.Join(", ", choices.Select(c => c?.ToJsonString()))}");
        }
        if (value is long or int or double && Convert.ToDouble(value, CultureInfo.InvariantCulture) is var number)
        {
            if ((double?)schema["minimum"] is { } min && number < min) errors.Add($"{at}: Must be greater than or equal to {schema["minimum"]}");
            if ((double?)schema["maximum"] is { } max && number > max) errors.Add($"{at}: Must be less than or equal to {schema["maximum"]}");
        }
        if (value is string text)
        {
            if ((int?)schema["minLength"] is { } minLength && text.Length < minLength) errors.Add($"{at}: String length must be greater than or equal to {minLength}");
            if ((string?)schema["pattern"] is { } pattern && !Regex.IsMatch(text, pattern, RegexOptions.None, TimeSpan.FromSeconds(1))) errors.Add($"{at}: Does not match pattern '{pattern}'");
        }
        if (value is Dictionary<object, object> map)
        {
            foreach (var required in (schema["required"] as JsonArray ?? []).Select(r => (string?)r ?? ""))
            {
                if (!map.ContainsKey(required)) errors.Add($"{at}: {required} is required");
            }
            var properties = schema["properties"] as JsonObject ?? [];
            foreach (var (key, child) in map)
            {
                var name = key.ToString() ?? "";
                var childPath = path.Length == 0 ? name : $"{path}.{name}";
                if (properties[name] is JsonObject propertySchema) Check(propertySchema, child, childPath, errors);
                else if (schema["additionalProperties"] is JsonObject additional) Check(additional, child, childPath, errors);
                else if (schema["additionalProperties"] is JsonValue allowed && !(bool)allowed) errors.Add($"{at}: Additional property {name} is not allowed");
            }
        }
        if (value is List<object> list && schema["items"] is JsonObject items)
        {
            for (var i = 0; i < list.Count; i++) Check(items, list[i], $"{path}.{i}", errors);
        }
    }

    private static string TypeOf(object? value) => value switch
    {
        null => "null",
        string => "string",
        bool => "boolean",
        int or long or byte or short or uint or ulong => "integer",
        float or double or decimal => "number",
        Dictionary<object, object> => "object",
        List<object> => "array",
        _ => value.GetType().Name,
    };

    private static object? Scalar(object? value) => value switch
    {
        JsonValue json when json.TryGetValue<string>(out var s) => s,
        JsonValue json when json.TryGetValue<bool>(out var b) => b,
        JsonValue json => json.GetValue<double>(),
        int or long or double => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        _ => value,
    };
}
