using System.Net;
using Grpc.Core;
using Ops.Agent.V1;

namespace Ops.AgentSimulation;

/// <summary>
/// The agent contract as the simulated agents serve it. The agent a call is for is the one listening
/// on the connection's local address. Actions do no work: they take the simulation's latency and end
/// as it decides; the journal, the cancel and GetExecution behave as the real agent's.
/// </summary>
internal sealed class SimulatedAgentService(SimulatedAgents agents) : Ops.Agent.V1.Agent.AgentBase
{
    public override Task<AgentInfo> GetInfo(GetInfoRequest request, ServerCallContext context)
    {
        var agent = AgentOf(context);
        var info = new AgentInfo { Version = agent.Version, Node = agent.Node, Started = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(agent.Started) };
        info.Actions.AddRange(agents.Actions);
        return Task.FromResult(info);
    }

    public override async Task Execute(ExecuteRequest request, IServerStreamWriter<ExecuteEvent> responseStream, ServerCallContext context)
    {
        var agent = AgentOf(context);
        if (string.IsNullOrEmpty(request.CommandUid) || string.IsNullOrEmpty(request.TargetKey) || string.IsNullOrEmpty(request.Action))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "command_uid, target_key and action are required"));
        }
        agents.Stats.Called();
        var execution = agent.GetOrStart(request, agents.Start(agent));
        var result = await execution.Result.WaitAsync(context.CancellationToken);
        await responseStream.WriteAsync(new ExecuteEvent { Result = result }, context.CancellationToken);
    }

    public override async Task<ExecutionResult> GetExecution(GetExecutionRequest request, ServerCallContext context)
    {
        var execution = AgentOf(context).Find(request.CommandUid, request.TargetKey)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"no execution of {request.TargetKey} for command {request.CommandUid}"));
        return execution.Result.IsCompleted
            ? await execution.Result
            : new ExecutionResult { CommandUid = request.CommandUid, TargetKey = request.TargetKey, Phase = ExecutionPhase.Running };
    }

    public override Task<CancelReply> Cancel(CancelRequest request, ServerCallContext context) =>
        Task.FromResult(new CancelReply { Cancelled = AgentOf(context).Cancel(request.CommandUid, request.TargetKey) });

    public override Task DownloadArtifact(ArtifactRequest request, IServerStreamWriter<ArtifactChunk> responseStream, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.NotFound, "simulated agents keep no artifacts"));

    private SimulatedAgent AgentOf(ServerCallContext context)
    {
        var connection = context.GetHttpContext().Connection;
        return connection.LocalIpAddress is { } address && agents.At(new IPEndPoint(address, connection.LocalPort)) is { } agent
            ? agent
            : throw new RpcException(new Status(StatusCode.Unavailable, "no simulated agent listens on this address any more"));
    }
}
