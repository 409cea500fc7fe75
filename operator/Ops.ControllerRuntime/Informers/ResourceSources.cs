using System.Reflection;
using k8s;
using k8s.Models;
using Ops.ControllerRuntime.Client;

namespace Ops.ControllerRuntime.Informers;

/// <summary>Sources for the kinds the operator watches, cluster-wide.</summary>
public static class ResourceSources
{
    public static IResourceSource<T> Custom<T>(Kubernetes client) where T : IKubernetesObject<V1ObjectMeta> => new CustomSource<T>(client);

    public static IResourceSource<V1Pod> Pods(Kubernetes client, string? labelSelector = null, string? fieldSelector = null) => new PodSource(client, labelSelector, fieldSelector);

    public static IResourceSource<V1Node> Nodes(Kubernetes client) => new BuiltInSource<V1Node>(client, "Node", "api/v1/nodes", async (next, limit, ct) =>
    {
        var list = await client.CoreV1.ListNodeAsync(continueParameter: next, limit: limit, cancellationToken: ct);
        return (list.Items, list.Metadata);
    });

    public static IResourceSource<V1Namespace> Namespaces(Kubernetes client) => new BuiltInSource<V1Namespace>(client, "Namespace", "api/v1/namespaces", async (next, limit, ct) =>
    {
        var list = await client.CoreV1.ListNamespaceAsync(continueParameter: next, limit: limit, cancellationToken: ct);
        return (list.Items, list.Metadata);
    });

    private sealed class CustomSource<T>(Kubernetes client) : IResourceSource<T> where T : IKubernetesObject<V1ObjectMeta>
    {
        private readonly KubernetesEntityAttribute _entity = typeof(T).GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException($"{typeof(T).Name} has no [KubernetesEntity]");

        public string Kind => _entity.Kind;

        public async Task<ResourcePage<T>> ListPageAsync(string? continueToken, int limit, CancellationToken cancellationToken)
        {
            var list = await client.CustomObjects.ListClusterCustomObjectAsync<CustomResourceList<T>>(
                _entity.Group, _entity.ApiVersion, _entity.PluralName, continueParameter: continueToken, limit: limit, cancellationToken: cancellationToken);
            return new ResourcePage<T>(list.Items, list.Metadata.ContinueProperty, list.Metadata.ResourceVersion);
        }

        public IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, int timeoutSeconds, Action onOpened, Action<Exception> onError, CancellationToken cancellationToken) =>
            WatchStream.ReadAsync<T>(client, $"apis/{_entity.Group}/{_entity.ApiVersion}/{_entity.PluralName}", new WatchQuery(resourceVersion, timeoutSeconds), onOpened, onError, cancellationToken);
    }

    private sealed class PodSource(Kubernetes client, string? labelSelector, string? fieldSelector) : IResourceSource<V1Pod>
    {
        public string Kind => "Pod";

        public async Task<ResourcePage<V1Pod>> ListPageAsync(string? continueToken, int limit, CancellationToken cancellationToken)
        {
            var list = await client.CoreV1.ListPodForAllNamespacesAsync(continueParameter: continueToken, fieldSelector: fieldSelector, labelSelector: labelSelector,
                limit: limit, cancellationToken: cancellationToken);
            return new ResourcePage<V1Pod>(list.Items, list.Metadata.ContinueProperty, list.Metadata.ResourceVersion);
        }

        public IAsyncEnumerable<(WatchEventType Type, V1Pod Object)> WatchAsync(string resourceVersion, int timeoutSeconds, Action onOpened, Action<Exception> onError, CancellationToken cancellationToken) =>
            WatchStream.ReadAsync<V1Pod>(client, "api/v1/pods", new WatchQuery(resourceVersion, timeoutSeconds, labelSelector, fieldSelector), onOpened, onError, cancellationToken);
    }

    /// <summary>A built-in kind listed and watched cluster-wide without selectors.</summary>
    private sealed class BuiltInSource<T>(Kubernetes client, string kind, string path, Func<string?, int, CancellationToken, Task<(IList<T> Items, V1ListMeta Metadata)>> list) : IResourceSource<T>
    {
        public string Kind => kind;

        public async Task<ResourcePage<T>> ListPageAsync(string? continueToken, int limit, CancellationToken cancellationToken)
        {
            var (items, metadata) = await list(continueToken, limit, cancellationToken);
            return new ResourcePage<T>(items, metadata.ContinueProperty, metadata.ResourceVersion);
        }

        public IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, int timeoutSeconds, Action onOpened, Action<Exception> onError, CancellationToken cancellationToken) =>
            WatchStream.ReadAsync<T>(client, path, new WatchQuery(resourceVersion, timeoutSeconds), onOpened, onError, cancellationToken);
    }
}
