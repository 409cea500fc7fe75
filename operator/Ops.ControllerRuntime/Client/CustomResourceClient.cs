using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Ops.ControllerRuntime.Client;

/// <summary>
/// The writes a controller makes to its own kind: status through the status subresource (retried on
/// a fresh read when someone else wrote first), finalizers, deletion. Namespaced and cluster-scoped
/// kinds alike (a cluster-scoped object's key has an empty namespace).
/// </summary>
public sealed class CustomResourceClient<T>(IKubernetes client) where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly KubernetesEntityAttribute _entity = typeof(T).GetCustomAttribute<KubernetesEntityAttribute>()
        ?? throw new ArgumentException($"{typeof(T).Name} has no [KubernetesEntity]");

    private readonly bool _clusterScoped = typeof(T).IsDefined(typeof(ClusterScopedAttribute));

    public async Task<T?> GetAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        try
        {
            return _clusterScoped
                ? await client.CustomObjects.GetClusterCustomObjectAsync<T>(_entity.Group, _entity.ApiVersion, _entity.PluralName, key.Name, cancellationToken)
                : await client.CustomObjects.GetNamespacedCustomObjectAsync<T>(_entity.Group, _entity.ApiVersion, key.Namespace, _entity.PluralName, key.Name, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Replaces the status with <paramref name="setStatus"/> applied to the object. On a conflict the
    /// object is read again and the status set on the fresh copy: the status is the controller's alone.
    /// Returns null when the object is gone.
    /// </summary>
    public async Task<T?> ReplaceStatusAsync(T obj, Action<T> setStatus, CancellationToken cancellationToken)
    {
        var current = obj;
        for (var attempt = 1; ; attempt++)
        {
            setStatus(current);
            try
            {
                return _clusterScoped
                    ? await client.CustomObjects.ReplaceClusterCustomObjectStatusAsync<T>(current, _entity.Group, _entity.ApiVersion, _entity.PluralName, current.Metadata.Name, cancellationToken: cancellationToken)
                    : await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync<T>(current, _entity.Group, _entity.ApiVersion,
                        current.Metadata.NamespaceProperty, _entity.PluralName, current.Metadata.Name, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < 5)
            {
                current = await GetAsync(NamespacedName.Of(current), cancellationToken);
                if (current is null) return null;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Adds or removes a finalizer; a no-op when already so. The patch carries the resourceVersion, so
    /// it never undoes someone else's change to the list: on a conflict it is read again and retried.
    /// </summary>
    public async Task SetFinalizerAsync(T obj, string finalizer, bool present, CancellationToken cancellationToken)
    {
        var current = obj;
        for (var attempt = 1; ; attempt++)
        {
            var finalizers = current.Metadata.Finalizers?.ToList() ?? [];
            if (finalizers.Contains(finalizer) == present) return;
            if (present) finalizers.Add(finalizer);
            else finalizers.RemoveAll(f => f == finalizer);
            // An empty list is sent as null, which removes the field, as the API server would omit it.
            var body = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["finalizers"] = finalizers.Count == 0 ? null : new JsonArray([.. finalizers.Select(f => (JsonNode?)f)]),
                    ["resourceVersion"] = current.Metadata.ResourceVersion,
                },
            };
            try
            {
                var patched = await MergePatchAsync(current, body, cancellationToken);
                obj.Metadata.Finalizers = patched.Metadata.Finalizers;
                obj.Metadata.ResourceVersion = patched.Metadata.ResourceVersion;
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < 5)
            {
                current = await GetAsync(NamespacedName.Of(current), cancellationToken);
                if (current is null || current.Metadata.Uid != obj.Metadata.Uid) return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound && !present)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Sets annotations and adds a finalizer in one write, only if the object is still the version given (the patch
    /// carries its resourceVersion). Returns the object as stored, or null when it changed meanwhile or is gone:
    /// the caller decides again from a fresh copy.
    /// </summary>
    public async Task<T?> PatchMetadataAsync(T obj, IReadOnlyDictionary<string, string> annotations, string? finalizer, CancellationToken cancellationToken)
    {
        var metadata = new JsonObject
        {
            ["annotations"] = new JsonObject([.. annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value))]),
            ["resourceVersion"] = obj.Metadata.ResourceVersion,
        };
        var finalizers = obj.Metadata.Finalizers?.ToList() ?? [];
        if (finalizer is not null && !finalizers.Contains(finalizer))
        {
            metadata["finalizers"] = new JsonArray([.. finalizers.Append(finalizer).Select(f => (JsonNode?)f)]);
        }
        try
        {
            return await MergePatchAsync(obj, new JsonObject { ["metadata"] = metadata }, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private Task<T> MergePatchAsync(T obj, JsonObject body, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(body.ToJsonString(), V1Patch.PatchType.MergePatch);
        return _clusterScoped
            ? client.CustomObjects.PatchClusterCustomObjectAsync<T>(patch, _entity.Group, _entity.ApiVersion, _entity.PluralName, obj.Metadata.Name, cancellationToken: cancellationToken)
            : client.CustomObjects.PatchNamespacedCustomObjectAsync<T>(patch, _entity.Group, _entity.ApiVersion, obj.Metadata.NamespaceProperty, _entity.PluralName, obj.Metadata.Name, cancellationToken: cancellationToken);
    }

    /// <summary>Deletes the object (its owned objects go with it, by garbage collection); gone already is fine.</summary>
    public async Task DeleteAsync(T obj, CancellationToken cancellationToken)
    {
        try
        {
            var options = new V1DeleteOptions { PropagationPolicy = "Background", Preconditions = new V1Preconditions { Uid = obj.Metadata.Uid } };
            if (_clusterScoped) await client.CustomObjects.DeleteClusterCustomObjectAsync(_entity.Group, _entity.ApiVersion, _entity.PluralName, obj.Metadata.Name, options, cancellationToken: cancellationToken);
            else await client.CustomObjects.DeleteNamespacedCustomObjectAsync(_entity.Group, _entity.ApiVersion, obj.Metadata.NamespaceProperty, _entity.PluralName, obj.Metadata.Name, options, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
        }
    }
}
