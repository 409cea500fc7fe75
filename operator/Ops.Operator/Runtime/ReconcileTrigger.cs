namespace Ops.Operator.Runtime;

/// <summary>
/// Lets background work (a fan-out making progress) ask for a reconcile of a key, without knowing the
/// controller that runs it; the controller attaches its queue when it starts.
/// </summary>
public sealed class ReconcileTrigger<T>
{
    private volatile Action<NamespacedName>? _enqueue;

    public void Attach(Action<NamespacedName> enqueue) => _enqueue = enqueue;

    public void Request(NamespacedName key) => _enqueue?.Invoke(key);
}
