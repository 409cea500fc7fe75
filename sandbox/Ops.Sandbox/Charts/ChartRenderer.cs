using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Serialization;

namespace Ops.Sandbox.Charts;

/// <summary>
/// Renders charts/ops the way Helm would, for the subset of the template language the chart uses
/// (Helm itself cannot be installed on these machines): <c>.Values.*</c>, <c>.Release.Name</c>,
/// <c>.Release.Namespace</c>, <c>.Release.Service</c>, <c>.Chart.*</c>, <c>.</c> inside <c>with</c>, <c>.Files.Get "path"</c>,
/// <c>toYaml</c>, pipes to <c>quote</c> and <c>nindent N</c>, <c>if</c>/<c>with</c>/<c>end</c>, and the
/// <c>{{-</c>/<c>-}}</c> whitespace trimming. Anything else, and any value path missing from the values,
/// is an error naming the template and the action: the chart must stay within what this checks. The values are
/// checked against the chart's values.schema.json first, as Helm does (<see cref="ValuesSchema"/>).
/// </summary>
public sealed partial class ChartRenderer(string chartDirectory, string releaseName = "ops", string releaseNamespace = "ops-system")
{
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    /// <summary>The value paths (a.b.c) the templates read; a value never read is dead.</summary>
    public IReadOnlySet<string> UsedValues => _used;

    public static object? LoadYaml(string text) => new DeserializerBuilder().Build().Deserialize<object>(text);

    /// <summary>Every template rendered with values.yaml, the values files over it, then <paramref name="overrides"/> (dotted paths, as --set).</summary>
    public IReadOnlyDictionary<string, string> RenderAll(IReadOnlyDictionary<string, string>? overrides = null, IEnumerable<string>? valueFiles = null)
    {
        var chart = LoadYaml(File.ReadAllText(Path.Combine(chartDirectory, "Chart.yaml"))) as Dictionary<object, object> ?? [];
        var values = ChartValues.Load(chartDirectory, valueFiles, overrides);
        ValuesSchema.Validate(chartDirectory, (string?)chart.GetValueOrDefault("name") ?? Path.GetFileName(chartDirectory), values);
        return Directory.GetFiles(Path.Combine(chartDirectory, "templates"), "*.yaml").Order(StringComparer.Ordinal)
            .ToDictionary(file => Path.GetFileName(file), file => Render(Path.GetFileName(file), File.ReadAllText(file), values, chart), StringComparer.Ordinal);
    }

    /// <summary>The rendered objects as one YAML stream in the order <c>helm install</c> creates them (by kind, then template order).</summary>
    public string RenderManifest(IReadOnlyDictionary<string, string>? overrides = null, IEnumerable<string>? valueFiles = null)
    {
        var documents = RenderAll(overrides, valueFiles).SelectMany(t => t.Value.Split("\n---"))
            .Select(d => d.Trim('\n'))
            .Where(d => LoadYaml(d) is Dictionary<object, object>)
            .Select((d, i) => (Yaml: d, Kind: (string?)((Dictionary<object, object>)LoadYaml(d)!).GetValueOrDefault("kind") ?? "", Index: i));
        return string.Join("\n---\n", documents.OrderBy(d => InstallOrder.IndexOf(d.Kind) is var at and >= 0 ? at : InstallOrder.Count).ThenBy(d => d.Index).Select(d => d.Yaml)) + "\n";
    }

    /// <summary>Helm's install order of kinds; other kinds (custom resources) come last.</summary>
    private static readonly List<string> InstallOrder =
    [
        "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodDisruptionBudget", "ServiceAccount", "Secret", "ConfigMap",
        "StorageClass", "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
        "Service", "DaemonSet", "Pod", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
    ];

    private string Render(string name, string template, Dictionary<object, object> values, Dictionary<object, object> chart)
    {
        var output = new StringBuilder();
        // Each frame: whether its text is emitted, and the value of "." inside it.
        var frames = new Stack<(bool Emit, object? Dot)>();
        frames.Push((true, null));
        var position = 0;
        foreach (Match action in Action().Matches(template))
        {
            var text = template[position..action.Index];
            if (action.Groups[1].Value == "-") text = text.TrimEnd();
            if (frames.Peek().Emit) output.Append(text);
            position = action.Index + action.Length;
            if (action.Groups[3].Value == "-")
            {
                while (position < template.Length && char.IsWhiteSpace(template[position])) position++;
            }
            var body = action.Groups[2].Value.Trim();
            string Where() => $"{name}: {{{{ {body} }}}}";
            object? Evaluate(string expression) => Pipeline(expression, frames.Peek().Dot, values, chart, Where);
            if (body.StartsWith("/*", StringComparison.Ordinal)) continue;
            if (body == "end")
            {
                if (frames.Count == 1) throw new FormatException($"{Where()}: end without if or with");
                frames.Pop();
            }
            else if (body.StartsWith("if ", StringComparison.Ordinal))
            {
                var emit = frames.Peek().Emit && Truthy(Evaluate(body[3..]));
                frames.Push((emit, frames.Peek().Dot));
            }
            else if (body.StartsWith("with ", StringComparison.Ordinal))
            {
                var value = Evaluate(body[5..]);
                frames.Push((frames.Peek().Emit && Truthy(value), value));
            }
            else if (frames.Peek().Emit)
            {
                output.Append(Text(Evaluate(body)));
            }
            else
            {
                Evaluate(body);
            }
        }
        if (frames.Count != 1) throw new FormatException($"{name}: an if or with has no end");
        output.Append(template[position..]);
        return output.ToString();
    }

    private object? Pipeline(string expression, object? dot, Dictionary<object, object> values, Dictionary<object, object> chart, Func<string> where)
    {
        var stages = expression.Split('|').Select(s => s.Trim()).ToList();
        var value = Term(stages[0], dot, values, chart, where);
        foreach (var stage in stages.Skip(1))
        {
            value = stage switch
            {
                "quote" => $"\"{Text(value).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"",
                _ when stage.StartsWith("nindent ", StringComparison.Ordinal) && int.TryParse(stage[8..], out var n) =>
                    "\n" + string.Join('\n', Text(value).Split('\n').Select(line => line.Length == 0 ? line : new string(' ', n) + line)),
                _ => throw new FormatException($"{where()}: the function \"{stage}\" is not one the chart may use"),
            };
        }
        return value;
    }

    private object? Term(string term, object? dot, Dictionary<object, object> values, Dictionary<object, object> chart, Func<string> where)
    {
        if (term.StartsWith("toYaml ", StringComparison.Ordinal))
        {
            var value = Term(term[7..].Trim(), dot, values, chart, where);
            return Yaml(value);
        }
        if (term.StartsWith(".Files.Get ", StringComparison.Ordinal))
        {
            var path = term[11..].Trim().Trim('"');
            var file = Path.Combine(chartDirectory, path);
            return File.Exists(file) ? File.ReadAllText(file).TrimEnd('\n') : throw new FormatException($"{where()}: the chart has no file {path}");
        }
        if (term == ".") return dot;
        if (term == ".Release.Name") return releaseName;
        if (term == ".Release.Namespace") return releaseNamespace;
        if (term == ".Release.Service") return "Helm";
        if (term.StartsWith(".Chart.", StringComparison.Ordinal))
        {
            var key = char.ToLowerInvariant(term[7]) + term[8..];
            return chart.TryGetValue(key, out var value) ? value : throw new FormatException($"{where()}: Chart.yaml has no {key}");
        }
        if (term.StartsWith(".Values.", StringComparison.Ordinal))
        {
            var path = term[8..];
            object? current = values;
            foreach (var part in path.Split('.'))
            {
                if (current is not Dictionary<object, object> map || !map.TryGetValue(part, out current)) throw new FormatException($"{where()}: values.yaml has no {path}");
            }
            _used.Add(path);
            return current;
        }
        throw new FormatException($"{where()}: \"{term}\" is not something the chart may use");
    }

    private static bool Truthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        long or int => Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0,
        string s => s.Length > 0,
        Dictionary<object, object> map => map.Count > 0,
        List<object> list => list.Count > 0,
        _ => true,
    };

    private static string Text(object? value) => value switch
    {
        null => "",
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => Yaml(value),
    };

    /// <summary>As toYaml writes a value: strings that would read back as another type ("1", "true") stay quoted.</summary>
    private static string Yaml(object? value) => new SerializerBuilder().WithQuotingNecessaryStrings().Build().Serialize(value).TrimEnd('\n');

    [GeneratedRegex(@"\{\{(-?)(.*?)(-?)\}\}", RegexOptions.Singleline)]
    private static partial Regex Action();
}
