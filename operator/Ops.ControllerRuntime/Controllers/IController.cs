namespace Ops.ControllerRuntime.Controllers;

/// <summary>A controller of any kind, as the controller manager starts it.</summary>
public interface IController
{
    /// <summary>The kind it reconciles.</summary>
    string Kind { get; }

    /// <summary>Waits for its informer's first list, then reconciles until cancelled.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
