using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.KubectlPlugin.Cli;

/// <summary>
/// The API server calls the plugin makes, each with its failure said plainly: not reachable, not allowed (with the
/// API server's own message, which names the verb and resource), not found, refused (an admission webhook's reason).
/// </summary>
public sealed class Api(KubeSession session)
{
    private IKubernetes Client => session.Client;

    public Task<V1Alpha1DiagnosticCommand> CreateCommandAsync(V1Alpha1DiagnosticCommand command, CancellationToken ct) =>
        CallAsync(() => Client.CustomObjects.CreateNamespacedCustomObjectAsync<V1Alpha1DiagnosticCommand>(command, ApiGroup.Name, ApiGroup.Version, command.Metadata.NamespaceProperty, V1Alpha1DiagnosticCommand.Plural, cancellationToken: ct), "creating a DiagnosticCommand");

    public Task<V1Alpha1DiagnosticCommand> GetCommandAsync(string name, CancellationToken ct) =>
        CallAsync(() => Client.CustomObjects.GetNamespacedCustomObjectAsync<V1Alpha1DiagnosticCommand>(ApiGroup.Name, ApiGroup.Version, session.Namespace, V1Alpha1DiagnosticCommand.Plural, name, ct), $"DiagnosticCommand {session.Namespace}/{name}");

    public async Task<IList<V1Alpha1DiagnosticCommand>> ListCommandsAsync(CancellationToken ct) =>
        (await CallAsync(() => Client.CustomObjects.ListNamespacedCustomObjectAsync<CustomResourceList<V1Alpha1DiagnosticCommand>>(ApiGroup.Name, ApiGroup.Version, session.Namespace, V1Alpha1DiagnosticCommand.Plural, cancellationToken: ct), $"DiagnosticCommands in {session.Namespace}")).Items;

    public Task<V1Alpha1DiagnosticCommand> PatchCommandAsync(string name, string mergePatch, CancellationToken ct) =>
        CallAsync(() => Client.CustomObjects.PatchNamespacedCustomObjectAsync<V1Alpha1DiagnosticCommand>(new V1Patch(mergePatch, V1Patch.PatchType.MergePatch), ApiGroup.Name, ApiGroup.Version, session.Namespace, V1Alpha1DiagnosticCommand.Plural, name, cancellationToken: ct), $"DiagnosticCommand {session.Namespace}/{name}");

    public Task<V1Alpha1DiagnosticTrigger> GetTriggerAsync(string name, CancellationToken ct) =>
        CallAsync(() => Client.CustomObjects.GetNamespacedCustomObjectAsync<V1Alpha1DiagnosticTrigger>(ApiGroup.Name, ApiGroup.Version, session.Namespace, V1Alpha1DiagnosticTrigger.Plural, name, ct), $"DiagnosticTrigger {session.Namespace}/{name}");

    public async Task<IList<V1Alpha1DiagnosticTrigger>> ListTriggersAsync(CancellationToken ct) =>
        (await CallAsync(() => Client.CustomObjects.ListNamespacedCustomObjectAsync<CustomResourceList<V1Alpha1DiagnosticTrigger>>(ApiGroup.Name, ApiGroup.Version, session.Namespace, V1Alpha1DiagnosticTrigger.Plural, cancellationToken: ct), $"DiagnosticTriggers in {session.Namespace}")).Items;

    public Task<V1Alpha1AgentVersion> GetAgentVersionAsync(string name, CancellationToken ct) =>
        CallAsync(() => Client.CustomObjects.GetClusterCustomObjectAsync<V1Alpha1AgentVersion>(ApiGroup.Name, ApiGroup.Version, V1Alpha1AgentVersion.Plural, name, ct), $"AgentVersion {name}");

    public Task<V1Alpha1AgentVersion> PatchAgentVersionAsync(string name, string mergePatch, CancellationToken ct) =>
        CallAsync(() => Client.CustomObjects.PatchClusterCustomObjectAsync<V1Alpha1AgentVersion>(new V1Patch(mergePatch, V1Patch.PatchType.MergePatch), ApiGroup.Name, ApiGroup.Version, V1Alpha1AgentVersion.Plural, name, cancellationToken: ct), $"AgentVersion {name}");

    public Task<V1ConfigMap> GetConfigMapAsync(string ns, string name, CancellationToken ct) =>
        CallAsync(() => Client.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: ct), $"ConfigMap {ns}/{name}");

    public async Task<T> CallAsync<T>(Func<Task<T>> call, string what)
    {
        try
        {
            return await call();
        }
        catch (HttpOperationException e)
        {
            var said = Said(e);
            throw e.Response.StatusCode switch
            {
                HttpStatusCode.NotFound => PluginException.Cluster($"{what}: not found{(said is null ? "" : $" ({said})")}"),
                HttpStatusCode.Forbidden => PluginException.Cluster($"{what}: forbidden: {said}"),
                HttpStatusCode.Unauthorized => PluginException.Cluster($"{what}: the API server does not accept this kubeconfig's credentials"),
                _ => PluginException.Cluster($"{what}: refused ({(int)e.Response.StatusCode}): {said ?? e.Message}"),
            };
        }
        catch (HttpRequestException e)
        {
            throw PluginException.Cluster($"cannot reach the API server at {session.Config.Host}: {e.Message}");
        }
    }

    /// <summary>The message of the API server's Status, when the response carries one.</summary>
    private static string? Said(HttpOperationException e)
    {
        try
        {
            return KubernetesJson.Deserialize<V1Status>(e.Response.Content)?.Message;
        }
        catch (System.Text.Json.JsonException)
        {
            return e.Response.Content is { Length: > 0 } content ? content : null;
        }
    }
}
