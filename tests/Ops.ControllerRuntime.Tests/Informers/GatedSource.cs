using System.Runtime.CompilerServices;
using k8s;
using Ops.ControllerRuntime.Informers;

namespace Ops.ControllerRuntime.Tests.Informers;

/// <summary>Wraps a source so a test can hold the informer's next watch back while the world changes.</summary>
internal sealed class GatedSource<T>(IResourceSource<T> inner) : IResourceSource<T>
{
    private volatile TaskCompletionSource _open = CompletedGate();
    private int _waiting;

    public string Kind => inner.Kind;

    public int Waiting => _waiting;

    public void Close() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => _open.TrySetResult();

    public Task<ResourcePage<T>> ListPageAsync(string? continueToken, int limit, CancellationToken cancellationToken) =>
        inner.ListPageAsync(continueToken, limit, cancellationToken);

    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, int timeoutSeconds, Action onOpened, Action<Exception> onError,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        await _open.Task.WaitAsync(cancellationToken);
        Interlocked.Decrement(ref _waiting);
        await foreach (var item in inner.WatchAsync(resourceVersion, timeoutSeconds, onOpened, onError, cancellationToken)) yield return item;
    }

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }
}
