using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;
using Ops.Operator.Api;

namespace Ops.Operator.Runtime;

/// <summary>Sources for the kinds the operator watches, cluster-wide.</summary>
public static class ResourceSources
{
    public static IResourceSource<T> Custom<T>(IKubernetes client) where T : IKubernetesObject<V1ObjectMeta> => new CustomSource<T>(client);

    public static IResourceSource<V1Pod> Pods(IKubernetes client, string? labelSelector = null, string? fieldSelector = null) => new PodSource(client, labelSelector, fieldSelector);

    public static IResourceSource<V1Node> Nodes(IKubernetes client) => new NodeSource(client);

    private sealed class CustomSource<T>(IKubernetes client) : IResourceSource<T> where T : IKubernetesObject<V1ObjectMeta>
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

        public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, int timeoutSeconds, Action<Exception> onError,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var events = client.CustomObjects.WatchListClusterCustomObjectAsync(_entity.Group, _entity.ApiVersion, _entity.PluralName,
                allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds, onError: onError, cancellationToken: cancellationToken);
            await foreach (var (type, obj) in events.WithCancellation(cancellationToken))
            {
                yield return (type, KubernetesJson.Deserialize<T>(((JsonElement)obj).GetRawText()));
            }
        }
    }

    private sealed class PodSource(IKubernetes client, string? labelSelector, string? fieldSelector) : IResourceSource<V1Pod>
    {
        public string Kind => "Pod";

        public async Task<ResourcePage<V1Pod>> ListPageAsync(string? continueToken, int limit, CancellationToken cancellationToken)
        {
            var list = await client.CoreV1.ListPodForAllNamespacesAsync(continueParameter: continueToken, fieldSelector: fieldSelector, labelSelector: labelSelector,
                limit: limit, cancellationToken: cancellationToken);
            return new ResourcePage<V1Pod>(list.Items, list.Metadata.ContinueProperty, list.Metadata.ResourceVersion);
        }

        public IAsyncEnumerable<(WatchEventType Type, V1Pod Object)> WatchAsync(string resourceVersion, int timeoutSeconds, Action<Exception> onError, CancellationToken cancellationToken) =>
            client.CoreV1.WatchListPodForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: fieldSelector, labelSelector: labelSelector,
                resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds, onError: onError, cancellationToken: cancellationToken);
    }

    private sealed class NodeSource(IKubernetes client) : IResourceSource<V1Node>
    {
        public string Kind => "Node";

        public async Task<ResourcePage<V1Node>> ListPageAsync(string? continueToken, int limit, CancellationToken cancellationToken)
        {
            var list = await client.CoreV1.ListNodeAsync(continueParameter: continueToken, limit: limit, cancellationToken: cancellationToken);
            return new ResourcePage<V1Node>(list.Items, list.Metadata.ContinueProperty, list.Metadata.ResourceVersion);
        }

        public IAsyncEnumerable<(WatchEventType Type, V1Node Object)> WatchAsync(string resourceVersion, int timeoutSeconds, Action<Exception> onError, CancellationToken cancellationToken) =>
            client.CoreV1.WatchListNodeAsync(allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds, onError: onError, cancellationToken: cancellationToken);
    }
}
