using k8s;
using k8s.Models;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Conformance;

public sealed class EventTests(SandboxFixture sandbox)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_event_recorded_through_events_k8s_io_is_listed_by_core_v1_with_renamed_fields()
    {
        var ns = await sandbox.CreateNamespaceAsync();
        await sandbox.Client.EventsV1.CreateNamespacedEventAsync(new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { Name = "started" },
            EventTime = DateTime.UtcNow,
            Reason = "Started",
            Note = "command started on 3 targets",
            Type = "Normal",
            Action = "Run",
            ReportingController = "ops.dev/operator",
            ReportingInstance = "operator-0",
            Regarding = new V1ObjectReference { Kind = "DiagnosticCommand", Name = "cmd", NamespaceProperty = ns, ApiVersion = "ops.dev/v1alpha1" },
        }, ns, cancellationToken: _ct);

        var core = await sandbox.Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "involvedObject.name=cmd", cancellationToken: _ct);

        var seen = Assert.Single(core.Items);
        Assert.Equal("command started on 3 targets", seen.Message);
        Assert.Equal("DiagnosticCommand", seen.InvolvedObject.Kind);
        Assert.Equal("ops.dev/operator", seen.ReportingComponent);

        var back = await sandbox.Client.EventsV1.ReadNamespacedEventAsync("started", ns, cancellationToken: _ct);
        Assert.Equal("command started on 3 targets", back.Note);
        Assert.Equal("cmd", back.Regarding.Name);
    }
}
