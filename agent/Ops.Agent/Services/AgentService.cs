using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Ops.Agent.Actions;
using Ops.Agent.Executions;
using Ops.Agent.Hosting;
using Ops.Agent.V1;

namespace Ops.Agent.Services;

/// <summary>The gRPC face of the agent; it validates requests and delegates to the execution manager.</summary>
public sealed class AgentService(ExecutionManager executions, ActionCatalog catalog, Artifacts.ArtifactStore artifacts, Watches.CounterWatches watches, IOptions<AgentOptions> options, TimeProvider clock) : V1.Agent.AgentBase
{
    private readonly Timestamp _started = Timestamp.FromDateTimeOffset(clock.GetUtcNow());

    public override Task<AgentInfo> GetInfo(GetInfoRequest request, ServerCallContext context) => Task.FromResult(new AgentInfo
    {
        Version = options.Value.Version,
        Node = options.Value.NodeName,
        Actions = { catalog.Names },
        Started = _started,
    });

    public override async Task Execute(ExecuteRequest request, IServerStreamWriter<ExecuteEvent> responseStream, ServerCallContext context)
    {
        Require(request.CommandUid, "command_uid");
        Require(request.TargetKey, "target_key");
        Require(request.Action, "action");
        var result = executions.StartOrAttachAsync(request);
        if (!result.IsCompleted)
        {
            await responseStream.WriteAsync(new ExecuteEvent { Progress = new Progress { Message = $"running {request.Action}" } }, context.CancellationToken);
        }
        // The caller going away does not stop the work: it can attach again, or ask GetExecution.
        await responseStream.WriteAsync(new ExecuteEvent { Result = await result.WaitAsync(context.CancellationToken) }, context.CancellationToken);
    }

    public override Task<ExecutionResult> GetExecution(GetExecutionRequest request, ServerCallContext context)
    {
        Require(request.CommandUid, "command_uid");
        Require(request.TargetKey, "target_key");
        return Task.FromResult(executions.Find(new ExecutionKey(request.CommandUid, request.TargetKey))
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"no execution of {request.TargetKey} for command {request.CommandUid}")));
    }

    public override Task<CancelReply> Cancel(CancelRequest request, ServerCallContext context)
    {
        Require(request.CommandUid, "command_uid");
        return Task.FromResult(new CancelReply { Cancelled = executions.Cancel(request.CommandUid, request.TargetKey) });
    }

    /// <summary>Streams an artifact in 64 KiB chunks from an offset (a broken download resumes where it stopped).</summary>
    public override async Task DownloadArtifact(ArtifactRequest request, IServerStreamWriter<ArtifactChunk> responseStream, ServerCallContext context)
    {
        Require(request.Name, "name");
        var file = artifacts.Find(request.Name) ?? throw new RpcException(new Status(StatusCode.NotFound, $"no artifact {request.Name} on node {options.Value.NodeName} (it may have expired)"));
        if (request.Offset < 0 || request.Offset > file.Length) throw new RpcException(new Status(StatusCode.OutOfRange, $"offset {request.Offset} is outside the artifact's {file.Length} bytes"));
        await using var stream = file.OpenRead();
        stream.Seek(request.Offset, SeekOrigin.Begin);
        var buffer = new byte[64 * 1024];
        for (var offset = request.Offset; ;)
        {
            var read = await stream.ReadAsync(buffer, context.CancellationToken);
            if (read == 0) break;
            await responseStream.WriteAsync(new ArtifactChunk { Data = Google.Protobuf.ByteString.CopyFrom(buffer, 0, read), Offset = offset }, context.CancellationToken);
            offset += read;
        }
    }

    public override Task<SyncWatchesReply> SyncWatches(SyncWatchesRequest request, ServerCallContext context)
    {
        if (request.Watches.Count > Watches.CounterWatches.MaxWatches) throw Invalid($"{request.Watches.Count} watches: an agent keeps at most {Watches.CounterWatches.MaxWatches}");
        if (request.LeaseSeconds is < 5 or > 3600) throw Invalid($"lease_seconds must be from 5 to 3600, not {request.LeaseSeconds}");
        foreach (var watch in request.Watches)
        {
            Require(watch.Id, "watch id");
            Require(watch.Counter, $"counter of watch {watch.Id}");
            if (watch.Target is null || watch.Target.Node || string.IsNullOrEmpty(watch.Target.ContainerId)) throw Invalid($"watch {watch.Id} must target a pod's container");
            if (watch.IntervalSeconds is < 1 or > 60) throw Invalid($"interval_seconds of watch {watch.Id} must be from 1 to 60, not {watch.IntervalSeconds}");
            if (watch.ForSeconds is < 0 or > 86400) throw Invalid($"for_seconds of watch {watch.Id} must be from 0 to 86400, not {watch.ForSeconds}");
        }
        if (request.Watches.Select(w => w.Id).Distinct(StringComparer.Ordinal).Count() != request.Watches.Count) throw Invalid("watch ids must be unique");
        return Task.FromResult(watches.Sync(request));
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));

    private static void Require(string value, string field)
    {
        if (string.IsNullOrEmpty(value)) throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field} is required"));
    }
}
