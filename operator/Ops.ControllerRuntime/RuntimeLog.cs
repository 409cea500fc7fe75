using k8s;
using Microsoft.Extensions.Logging;
using Ops.ControllerRuntime.Client;

namespace Ops.ControllerRuntime;

/// <summary>What the controller runtime logs (informers, controller runner, event recorder), with event ids 110–119.</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(110, LogLevel.Warning, "Reconcile of {Kind} {Key} failed (attempt {Attempt}); retrying with backoff")]
    public static partial void ReconcileFailed(ILogger logger, string kind, NamespacedName key, int attempt, Exception error);

    [LoggerMessage(111, LogLevel.Warning, "Could not record event {Reason} on {Kind} {Name}")]
    public static partial void EventNotRecorded(ILogger logger, string reason, string kind, string name, Exception error);

    [LoggerMessage(112, LogLevel.Information, "{Kind} informer: resourceVersion {ResourceVersion} expired, re-listing")]
    public static partial void ResourceVersionExpired(ILogger logger, string kind, string? resourceVersion);

    [LoggerMessage(113, LogLevel.Warning, "{Kind} informer: watch failed, retrying in {Delay}")]
    public static partial void WatchFailed(ILogger logger, string kind, TimeSpan delay, Exception error);

    [LoggerMessage(114, LogLevel.Information, "{Kind} informer: no event for {IdleTimeout}, restarting the watch")]
    public static partial void WatchIdle(ILogger logger, string kind, TimeSpan idleTimeout);

    [LoggerMessage(115, LogLevel.Error, "{Kind} informer: a subscriber failed on {Type} {Key}")]
    public static partial void SubscriberFailed(ILogger logger, string kind, WatchEventType type, NamespacedName key, Exception error);
}
