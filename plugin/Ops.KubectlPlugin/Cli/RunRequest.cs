using System.Globalization;
using System.Text;
using k8s.Models;
using Ops.Agent.V1.Actions;
using Ops.Operator.Api;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.KubectlPlugin.Cli;

/// <summary>
/// What `kubectl ops run` was asked, checked before anything is created (the action and its parameters by the
/// operator's own catalogue) and turned into a DiagnosticCommand named after its action.
/// </summary>
public sealed record RunRequest(string Action, IReadOnlyList<string> Names, string? Selector, bool Nodes, string? Container, IReadOnlyList<string> Parameters,
    string? Sample, int? Parallelism, string? Timeout)
{
    public V1Alpha1DiagnosticCommand ToCommand(string ns)
    {
        var definition = ActionCatalogue.Find(Action) ?? throw PluginException.Usage(UnknownAction(Action));
        var parameters = ParseParameters();
        if (definition.Problems(parameters) is { Count: > 0 } problems) throw PluginException.Usage($"{Action}: {string.Join("; ", problems)}");
        var command = new V1Alpha1DiagnosticCommand
        {
            Metadata = new V1ObjectMeta { GenerateName = $"{Action.Replace('.', '-')}-", NamespaceProperty = ns },
        };
        command.Spec.Action = Action;
        command.Spec.Parameters = parameters.Count > 0 ? parameters : null;
        command.Spec.Target = Target();
        command.Spec.Parallelism = Parallelism is null or >= 1 ? Parallelism : throw PluginException.Usage($"--parallelism must be 1 or more, not {Parallelism}");
        command.Spec.TimeoutSeconds = TimeoutSeconds();
        return command;
    }

    /// <summary>Every action of the catalogue, one line each: what an unknown action is answered with.</summary>
    public static string UnknownAction(string action)
    {
        var text = new StringBuilder($"unknown action \"{action}\"; the actions are:\n");
        foreach (var known in ActionCatalogue.All) text.Append(CultureInfo.InvariantCulture, $"  {known.Name,-18} {known.Description}\n");
        return text.ToString().TrimEnd();
    }

    private Dictionary<string, string> ParseParameters()
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in Parameters)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) throw PluginException.Usage($"--param \"{pair}\" is not KEY=VALUE");
            if (!parameters.TryAdd(pair[..equals], pair[(equals + 1)..])) throw PluginException.Usage($"--param {pair[..equals]} is given twice");
        }
        return parameters;
    }

    private V1Alpha1DiagnosticCommand.TargetSpec Target()
    {
        var target = new V1Alpha1DiagnosticCommand.TargetSpec { Sample = SampleSpec() };
        if (Nodes)
        {
            if (Container is not null) throw PluginException.Usage("-c/--container is for pods, not --nodes");
            if (Selector is null && Names.Count == 0) throw PluginException.Usage("--nodes needs node names or -l SELECTOR (for every node: -l kubernetes.io/os=linux)");
            target.Nodes = new V1Alpha1DiagnosticCommand.NodeTarget { Selector = Selector is null ? null : SelectorParser.Parse(Selector), Names = Names.Count > 0 ? [.. Names] : null };
            return target;
        }
        if (Selector is null && Names.Count == 0) throw PluginException.Usage("say which pods: -l SELECTOR, pod names, or --nodes");
        target.Pods = new V1Alpha1DiagnosticCommand.PodTarget
        {
            Selector = Selector is null ? new V1LabelSelector() : SelectorParser.Parse(Selector),
            Names = Names.Count > 0 ? [.. Names] : null,
            Container = Container,
        };
        return target;
    }

    private V1Alpha1DiagnosticCommand.SampleSpec? SampleSpec() => Sample switch
    {
        null => null,
        "one" => new() { Mode = "one" },
        _ when Sample.EndsWith('%') && int.TryParse(Sample[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var percent) && percent is >= 1 and <= 100 => new() { Mode = "percent", Value = percent },
        _ when int.TryParse(Sample, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1 => new() { Mode = "fixed", Value = count },
        _ => throw PluginException.Usage($"--sample must be one, a count such as 2, or a percentage such as 10%, not \"{Sample}\""),
    };

    private int? TimeoutSeconds()
    {
        if (Timeout is null) return null;
        TimeSpan timeout;
        try
        {
            timeout = Durations.Parse(Timeout);
        }
        catch (FormatException e)
        {
            throw PluginException.Usage($"--timeout: {e.Message}");
        }
        return timeout.TotalSeconds is >= 1 and <= 86400 ? (int)Math.Ceiling(timeout.TotalSeconds) : throw PluginException.Usage($"--timeout must be from 1s to 24h, not {Timeout}");
    }
}
