using k8s;

namespace Ops.ControllerRuntime.Informers;

/// <summary>A change the informer saw: Added, Modified or Deleted, with the object's state.</summary>
public sealed record ResourceEvent<T>(WatchEventType Type, T Object);
