using System.Diagnostics;
using System.Net.Sockets;
using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>
/// check.tcp: is a TCP port open? On the pod's IP by default, or on the host parameter: for a pod target,
/// only an address of that pod (<see cref="CheckDestination"/>).
/// </summary>
public sealed class CheckTcpAction : IAgentAction
{
    public ActionDefinition Definition => ActionCatalogue.CheckTcp.Definition;

    public async Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var port = context.Integer(ActionCatalogue.CheckTcp.Port);
        var host = context.Text(ActionCatalogue.CheckTcp.Host) ?? (context.Target.PodIp is { Length: > 0 } ip ? ip : throw new ActionParameterException("parameter \"host\" is required for a target without a pod IP"));
        var timeout = TimeSpan.FromMilliseconds(context.Integer(ActionCatalogue.CheckTcp.TimeoutMs));
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(timeout);
        var watch = Stopwatch.StartNew();
        var address = await CheckDestination.ResolveAsync(Definition.Name, context.Target, host, attempt.Token);
        using var client = new TcpClient(address.AddressFamily);
        try
        {
            await client.ConnectAsync(address, port, attempt.Token);
            return ActionOutcome.Success($"{host}:{port} open ({watch.ElapsedMilliseconds} ms)");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ActionOutcome.Failure($"{host}:{port} did not answer within {timeout.TotalMilliseconds:0} ms");
        }
        catch (SocketException e)
        {
            return ActionOutcome.Failure($"{host}:{port} is not open: {e.SocketErrorCode}");
        }
    }
}
