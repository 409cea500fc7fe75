using Ops.ControllerRuntime.Client;

namespace Ops.ControllerRuntime.Controllers;

/// <summary>
/// An in-memory source of reconciles: background work (a fan-out making progress) asks for a reconcile of
/// a key without knowing the controller that runs it. Requests made before the controller starts are kept
/// (once per key) and handed over when it attaches, so none is lost to start-up order.
/// </summary>
public sealed class ReconcileTrigger<T>
{
    private readonly Lock _lock = new();
    private readonly HashSet<NamespacedName> _early = [];
    private Action<NamespacedName>? _enqueue;

    /// <summary>Called by the controller that reconciles <typeparamref name="T"/> once its queue exists.</summary>
    public void Attach(Action<NamespacedName> enqueue)
    {
        NamespacedName[] early;
        lock (_lock)
        {
            _enqueue = enqueue;
            early = [.. _early];
            _early.Clear();
        }
        foreach (var key in early) enqueue(key);
    }

    public void Request(NamespacedName key)
    {
        Action<NamespacedName>? enqueue;
        lock (_lock)
        {
            enqueue = _enqueue;
            if (enqueue is null) _early.Add(key);
        }
        enqueue?.Invoke(key);
    }
}
