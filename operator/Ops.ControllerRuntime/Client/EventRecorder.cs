using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Ops.ControllerRuntime.Client;

/// <summary>
/// Records Kubernetes Events on the objects the operator acts on, as <c>kubectl describe</c> shows
/// them. Best effort: an Event that cannot be written is logged, never allowed to fail a reconcile
/// (whatever the transport throws: not every socket error comes wrapped in an HttpRequestException).
/// </summary>
public sealed class EventRecorder(IKubernetes client, EventRecorderOptions options, TimeProvider clock, ILogger<EventRecorder> logger)
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";

    public async Task RecordAsync(IKubernetesObject<V1ObjectMeta> obj, string type, string reason, string message, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var ns = obj.Metadata.NamespaceProperty is { Length: > 0 } n ? n : "default";
        var e = new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = $"{obj.Metadata.Name[..Math.Min(236, obj.Metadata.Name.Length)]}.{Guid.NewGuid():N}"[..^16], NamespaceProperty = ns },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = obj.ApiVersion, Kind = obj.Kind, Name = obj.Metadata.Name, NamespaceProperty = obj.Metadata.NamespaceProperty,
                Uid = obj.Metadata.Uid, ResourceVersion = obj.Metadata.ResourceVersion,
            },
            Type = type,
            Reason = reason,
            Message = message.Length > 1024 ? message[..1024] : message,
            Source = new V1EventSource { Component = options.Component },
            ReportingComponent = options.Component,
            ReportingInstance = Environment.MachineName,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        try
        {
            await client.CoreV1.CreateNamespacedEventAsync(e, ns, cancellationToken: cancellationToken);
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested)
        {
            RuntimeLog.EventNotRecorded(logger, reason, obj.Kind, obj.Metadata.Name, error);
        }
    }
}
