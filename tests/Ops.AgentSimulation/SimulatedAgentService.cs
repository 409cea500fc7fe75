using System.Net;
using Grpc.Core;
using Ops.Agent.Executions;
using Ops.Agent.V1;
using Ops.Agent.V1.Actions;

namespace Ops.AgentSimulation;

/// <summary>
/// The agent contract as the simulated agents serve it, over each agent's real ExecutionManager. The agent a
/// call is for is the one listening on the connection's local address.
/// </summary>
internal sealed class SimulatedAgentService(SimulatedAgents agents) : Ops.Agent.V1.Agent.AgentBase
{
    public override Task<AgentInfo> GetInfo(GetInfoRequest request, ServerCallContext context)
    {
        var agent = AgentOf(context);
        var info = new AgentInfo { Version = agent.Version, Node = agent.Node, Started = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(agent.Started) };
        info.Actions.AddRange(ActionCatalogue.All.Select(a => a.Name).Order(StringComparer.Ordinal));
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
        var result = await agent.Executions.StartOrAttachAsync(request).WaitAsync(context.CancellationToken);
        await responseStream.WriteAsync(new ExecuteEvent { Result = result }, context.CancellationToken);
    }

    public override Task<ExecutionResult> GetExecution(GetExecutionRequest request, ServerCallContext context) =>
        Task.FromResult(AgentOf(context).Executions.Find(new ExecutionKey(request.CommandUid, request.TargetKey))
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"no execution of {request.TargetKey} for command {request.CommandUid}")));

    public override Task<CancelReply> Cancel(CancelRequest request, ServerCallContext context) =>
        Task.FromResult(new CancelReply { Cancelled = AgentOf(context).Executions.Cancel(request.CommandUid, request.TargetKey) });

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
