using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.TestSupport;

/// <summary>Creating, reading and awaiting DiagnosticCommands through the API, as a user's client would.</summary>
public static class Commands
{
    public static async Task<V1Alpha1DiagnosticCommand> CreateAsync(IKubernetes client, string ns, string name, V1Alpha1DiagnosticCommand.CommandSpec spec)
    {
        var command = new V1Alpha1DiagnosticCommand { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns }, Spec = spec };
        return await client.CustomObjects.CreateNamespacedCustomObjectAsync<V1Alpha1DiagnosticCommand>(command, ApiGroup.Name, ApiGroup.Version, ns, V1Alpha1DiagnosticCommand.Plural);
    }

    public static async Task<V1Alpha1DiagnosticCommand?> GetAsync(IKubernetes client, string ns, string name)
    {
        try
        {
            return await client.CustomObjects.GetNamespacedCustomObjectAsync<V1Alpha1DiagnosticCommand>(ApiGroup.Name, ApiGroup.Version, ns, V1Alpha1DiagnosticCommand.Plural, name);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>The raw object as stored, for measuring it.</summary>
    public static async Task<JsonObject> GetRawAsync(IKubernetes client, string ns, string name) =>
        await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(ApiGroup.Name, ApiGroup.Version, ns, V1Alpha1DiagnosticCommand.Plural, name);

    public static Task<V1Alpha1DiagnosticCommand> FinishedAsync(IKubernetes client, string ns, string name, TimeSpan? timeout = null) =>
        Eventually.Get(async () => await GetAsync(client, ns, name) is { Status.CompletionTime: not null } done ? done : null, $"command {ns}/{name} to finish", timeout ?? Timeouts.Command);

    public static Task<V1Alpha1DiagnosticCommand> StatusAsync(IKubernetes client, string ns, string name, Func<V1Alpha1DiagnosticCommand.CommandStatus, bool> condition, string what) =>
        Eventually.Get(async () => await GetAsync(client, ns, name) is { Status: { } status } c && condition(status) ? c : null, $"command {ns}/{name}: {what}", Timeouts.Command);

    public static V1Condition? Condition(V1Alpha1DiagnosticCommand command, string type) => command.Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    /// <summary>The cluster's simulated nodes by name: a test may add a node without an agent meanwhile.</summary>
    public static readonly List<string> SimulatedNodes = ["node-1", "node-2", "node-3"];

    public static V1Alpha1DiagnosticCommand.CommandSpec OnNodes(string action, Dictionary<string, string>? parameters = null, int parallelism = 100, List<string>? names = null) => new()
    {
        Action = action,
        Parameters = parameters,
        Parallelism = parallelism,
        Target = new V1Alpha1DiagnosticCommand.TargetSpec { Nodes = new V1Alpha1DiagnosticCommand.NodeTarget { Names = names ?? SimulatedNodes } },
    };

    public static V1Alpha1DiagnosticCommand.CommandSpec OnPods(string action, Dictionary<string, string>? parameters, string app, string? container = null) => new()
    {
        Action = action,
        Parameters = parameters,
        Target = new V1Alpha1DiagnosticCommand.TargetSpec
        {
            Pods = new V1Alpha1DiagnosticCommand.PodTarget { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } }, Container = container },
        },
    };
}
