namespace Ops.ControllerRuntime.Informers;

/// <summary>An informer of any kind, as the controller manager starts it.</summary>
public interface IInformer
{
    /// <summary>Kind name for logs and metrics.</summary>
    string Kind { get; }

    /// <summary>Lists, then watches, until cancelled.</summary>
    Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Completes once the first list is in the cache.</summary>
    Task ReadyAsync(CancellationToken cancellationToken);
}
