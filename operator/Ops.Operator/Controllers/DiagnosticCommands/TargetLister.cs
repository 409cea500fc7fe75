using k8s;
using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Controllers.DiagnosticCommands;

/// <summary>
/// Lists what a command may target from the API (pods of its namespace, nodes) and hands them to the
/// <see cref="TargetResolver"/>, which decides which of them are targets.
/// </summary>
public sealed class TargetLister(IKubernetes client, TargetResolver resolver)
{
    /// <summary>
    /// The command's targets, or why it has none: a problem of the spec, else the pods and nodes the API
    /// lists. A list the API server refuses (400: a selector it reads otherwise than our check did) fails
    /// the command with the server's reason instead of retrying it for ever.
    /// </summary>
    public async Task<TargetPlan> ResolveAsync(V1Alpha1DiagnosticCommand command, CancellationToken cancellationToken)
    {
        if (resolver.SpecProblem(command) is { } problem) return problem;
        try
        {
            return resolver.Resolve(command, await PodsAsync(command, cancellationToken), await NodesAsync(command, cancellationToken));
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.BadRequest)
        {
            var field = command.Spec.Target.Pods is not null ? "spec.target.pods.selector" : "spec.target.nodes.selector";
            return TargetPlan.Invalid("SelectorRefused", $"{field}: the API server refused it: {StatusMessage(e.Response.Content)}");
        }
    }

    private static string StatusMessage(string body)
    {
        try
        {
            return KubernetesJson.Deserialize<V1Status>(body)?.Message ?? body;
        }
        catch (System.Text.Json.JsonException)
        {
            return body;
        }
    }

    /// <summary>
    /// The pods of the command's namespace read from the API, not from a cache: a command started right
    /// after a scale-up must see every pod the user sees. Paged, so a large namespace is not one response.
    /// </summary>
    private async Task<List<V1Pod>> PodsAsync(V1Alpha1DiagnosticCommand command, CancellationToken cancellationToken)
    {
        if (command.Spec.Target.Pods is not { } target) return [];
        var selector = target.Selector is { } s ? LabelSelectors.ToQuery(s) : null;
        if (target.Names is { Count: > 0 and <= 20 } names)
        {
            // A few pods by name (a trigger's command, a user's pick): each listed by its name, rather than every pod the
            // selector matches (list, not get: the operator's role lists pods and reads none by name).
            var named = new List<V1Pod>();
            foreach (var name in names.Distinct(StringComparer.Ordinal))
            {
                var page = await client.CoreV1.ListNamespacedPodAsync(command.Metadata.NamespaceProperty, fieldSelector: $"metadata.name={name}", labelSelector: selector, cancellationToken: cancellationToken);
                named.AddRange(page.Items);
            }
            return named;
        }
        return await ListPages.PodsAsync(client, command.Metadata.NamespaceProperty, selector, cancellationToken);
    }

    /// <summary>
    /// The nodes a command may target, read from the API: the named ones one by one, the selected ones
    /// filtered by the API server, else every node, paged. Listing every node of a 5,000-node cluster for
    /// each one-node command made that list most of a command's cost (the scale benchmark found it).
    /// </summary>
    private async Task<IList<V1Node>> NodesAsync(V1Alpha1DiagnosticCommand command, CancellationToken cancellationToken)
    {
        if (command.Spec.Target.Nodes is not { } target) return [];
        if (target.Names is { Count: > 0 and <= 20 } names)
        {
            var nodes = new List<V1Node>();
            foreach (var name in names.Distinct(StringComparer.Ordinal))
            {
                try
                {
                    nodes.Add(await client.CoreV1.ReadNodeAsync(name, cancellationToken: cancellationToken));
                }
                catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    // The resolver names it as unknown.
                }
            }
            return nodes;
        }
        var selector = target.Selector is { } s ? LabelSelectors.ToQuery(s) : null;
        return await ListPages.AllAsync<V1Node>(async next =>
        {
            var page = await client.CoreV1.ListNodeAsync(continueParameter: next, labelSelector: selector, limit: ListPages.Size, cancellationToken: cancellationToken);
            return (page.Items, page.Metadata.ContinueProperty);
        });
    }
}
