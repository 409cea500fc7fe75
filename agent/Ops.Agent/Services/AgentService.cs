using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Ops.Agent.Actions;
using Ops.Agent.Executions;
using Ops.Agent.Hosting;
using Ops.Agent.V1;

namespace Ops.Agent.Services;

/// <summary>The gRPC face of the agent; it validates requests and delegates to the execution manager.</summary>
public sealed class AgentService(ExecutionManager executions, ActionCatalog catalog, Artifacts.ArtifactStore artifacts, IOptions<AgentOptions> options, TimeProvider clock) : V1.Agent.AgentBase
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

    private static void Require(string value, string field)
    {
        if (string.IsNullOrEmpty(value)) throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field} is required"));
    }
}
