using Microsoft.Diagnostics.NETCore.Client;
using Ops.Agent.Actions;

namespace Ops.Agent.Dotnet;

/// <summary>Connects to a .NET process's diagnostics socket, with the errors a user can act on.</summary>
public sealed class DotnetSessions
{
    /// <summary>A connected client; dispose the connector when done.</summary>
    public async Task<DiagnosticsClientConnector> ConnectAsync(DotnetProcess process, CancellationToken cancellationToken)
    {
        try
        {
            return await DiagnosticsClientConnector.FromDiagnosticPort($"{process.SocketPath},connect", cancellationToken);
        }
        catch (Exception e) when (e is ServerNotAvailableException or IOException or TimeoutException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
        {
            throw new ActionParameterException($"could not connect to the diagnostics socket of process {process.Pid}: {e.Message} (the process may have exited)");
        }
    }
}
