using System.Runtime.CompilerServices;
using k8s;
using Ops.ControllerRuntime.Informers;

namespace Ops.Operator.Tests;

/// <summary>A source whose list is fixed and whose watch never delivers: an informer's cache at its stalest.</summary>
internal sealed class FrozenSource<T>(string kind, IReadOnlyList<T> items) : IResourceSource<T>
{
    public string Kind => kind;

    public Task<ResourcePage<T>> ListPageAsync(string? continueToken, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(new ResourcePage<T>([.. items], null, "1"));

    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, int timeoutSeconds, Action onOpened, Action<Exception> onError,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        onOpened();
        await Task.Delay(Timeout.Infinite, cancellationToken);
        yield break;
    }
}
