using Microsoft.Diagnostics.NETCore.Client;
using Ops.Agent.Actions;

namespace Ops.Agent.Dotnet;

/// <summary>Connects to a .NET process's diagnostics socket, with the errors a user can act on.</summary>
public sealed class DotnetSessions(Processes.ProcessLocator locator)
{
    /// <summary>
    /// Runs a capture; when the process goes away in the middle (the socket closes, the stream ends
    /// early), says so instead of reporting a transport error or a silently short capture.
    /// </summary>
    public async Task<T> CaptureAsync<T>(DotnetProcess process, string what, Func<Task<T>> capture)
    {
        try
        {
            var result = await capture();
            if (!IsAlive(process)) throw new ActionParameterException($"process {process.Pid} exited during the {what}");
            return result;
        }
        catch (Exception e) when (e is ServerNotAvailableException or IOException or EndOfStreamException or ServerErrorException && !IsAlive(process))
        {
            throw new ActionParameterException($"process {process.Pid} exited during the {what}");
        }
    }

    private bool IsAlive(DotnetProcess process) => locator.Proc.Read(process.Pid) is { State: not 'Z' and not 'X' };

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
