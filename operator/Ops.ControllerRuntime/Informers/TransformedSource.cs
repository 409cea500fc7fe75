using System.Runtime.CompilerServices;
using k8s;

namespace Ops.ControllerRuntime.Informers;

/// <summary>
/// A source whose objects are cut down before the informer caches them, as client-go's SetTransform: an informer
/// of thousands of pods that needs a few fields of each keeps those, not the full objects (the transform must keep
/// the name, namespace and resourceVersion, which the cache is keyed and compared by).
/// </summary>
public sealed class TransformedSource<T>(IResourceSource<T> source, Func<T, T> transform) : IResourceSource<T>
{
    public string Kind => source.Kind;

    public async Task<ResourcePage<T>> ListPageAsync(string? continueToken, int limit, CancellationToken cancellationToken)
    {
        var page = await source.ListPageAsync(continueToken, limit, cancellationToken);
        return page with { Items = [.. page.Items.Select(transform)] };
    }

    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, int timeoutSeconds, Action onOpened, Action<Exception> onError,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (type, obj) in source.WatchAsync(resourceVersion, timeoutSeconds, onOpened, onError, cancellationToken)) yield return (type, transform(obj));
    }
}
