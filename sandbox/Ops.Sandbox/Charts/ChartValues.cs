using System.Globalization;
using YamlDotNet.Serialization;

namespace Ops.Sandbox.Charts;

/// <summary>
/// A chart's values as <c>helm install -f FILE --set a.b=c</c> computes them: values.yaml, then each values file
/// merged over it (maps merge key by key, anything else replaces), then each --set. Scalars keep the type YAML
/// gives them (an unquoted 2 is an integer, "2" a string), which is what values.schema.json is checked against.
/// </summary>
public static class ChartValues
{
    public static Dictionary<object, object> Load(string chartDirectory, IEnumerable<string>? valueFiles = null, IReadOnlyDictionary<string, string>? set = null)
    {
        var values = Parse(File.ReadAllText(Path.Combine(chartDirectory, "values.yaml")));
        foreach (var file in valueFiles ?? []) Merge(values, Parse(File.ReadAllText(file)));
        foreach (var (path, value) in set ?? new Dictionary<string, string>()) Set(values, path, value);
        return values;
    }

    /// <summary>A YAML document as maps, lists and typed scalars.</summary>
    public static Dictionary<object, object> Parse(string yaml) =>
        new DeserializerBuilder().WithAttemptingUnquotedStringTypeDeserialization().Build().Deserialize<object>(yaml) as Dictionary<object, object> ?? [];

    private static void Merge(Dictionary<object, object> target, Dictionary<object, object> overlay)
    {
        foreach (var (key, value) in overlay)
        {
            if (value is Dictionary<object, object> child && target.TryGetValue(key, out var existing) && existing is Dictionary<object, object> current) Merge(current, child);
            else target[key] = value;
        }
    }

    /// <summary>As --set types a value: integers, true/false and null are not strings (--set-string would keep them so).</summary>
    private static void Set(Dictionary<object, object> values, string path, string value)
    {
        // As Helm's --set: a dot inside a key is written \. (a label key such as ops\.dev/admission).
        var parts = System.Text.RegularExpressions.Regex.Split(path, @"(?<!\\)\.").Select(p => p.Replace("\\.", ".")).ToArray();
        var map = values;
        foreach (var part in parts[..^1])
        {
            if (!map.TryGetValue(part, out var next) || next is not Dictionary<object, object> child) map[part] = child = [];
            map = child;
        }
        map[parts[^1]] = value switch
        {
            // Helm's list syntax: --set a={x,y}.
            ['{', .., '}'] => value[1..^1].Split(',', StringSplitOptions.RemoveEmptyEntries).Cast<object>().ToList(),
            "true" => true,
            "false" => false,
            "null" => null!,
            _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && (value == "0" || !value.StartsWith('0')) => number,
            _ => value,
        };
    }
}
