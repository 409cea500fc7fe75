using k8s;

namespace Ops.ControllerRuntime.Informers;

/// <summary>How an informer lists and watches one kind; the informer owns all the retry logic.</summary>
public interface IResourceSource<T>
{
    /// <summary>Kind name for logs and metrics.</summary>
    string Kind { get; }

    Task<ResourcePage<T>> ListPageAsync(string? continueToken, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Watches from a resourceVersion with bookmarks and a server-side timeout. <paramref name="onOpened"/> is
    /// called once the server has accepted the watch (before any event). An ERROR event (for example 410
    /// Expired) is reported through <paramref name="onError"/> and ends the stream.
    /// </summary>
    IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, int timeoutSeconds, Action onOpened, Action<Exception> onError, CancellationToken cancellationToken);
}
