using Microsoft.Diagnostics.NETCore.Client;
using Ops.Agent.Actions;

namespace Ops.Agent.Dotnet;

/// <summary>Connects to a .NET process's diagnostics socket, with the errors a user can act on.</summary>
public sealed class DotnetSessions(Processes.ProcessLocator locator, ListenModeEndpoints listen, TimeProvider clock)
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
        catch (Exception e) when (e is DiagnosticsClientException or IOException or EndOfStreamException or System.Net.Sockets.SocketException)
        {
            if (await ExitedAsync(process)) throw new ActionParameterException($"process {process.Pid} exited during the {what}");
            throw new ActionParameterException($"the diagnostics socket of process {process.Pid} did not answer: {e.Message}");
        }
    }

    /// <summary>
    /// Whether the process is gone, given the moment an exiting process needs: it closes its diagnostics socket
    /// while exiting, a little before /proc shows it gone or a zombie (seen under load as a wrong "did not answer").
    /// </summary>
    private async Task<bool> ExitedAsync(DotnetProcess process)
    {
        for (var look = 0; look < 20; look++)
        {
            if (!IsAlive(process)) return true;
            await Task.Delay(TimeSpan.FromMilliseconds(50), clock);
        }
        return false;
    }

    private bool IsAlive(DotnetProcess process) => locator.Proc.Read(process.Pid) is { State: not 'Z' and not 'X' };

    /// <summary>How long to wait for a listen-mode runtime to connect (it retries on its own schedule).</summary>
    public TimeSpan ListenWait { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A client for the process: through its own socket (connect mode), else through listen mode; a clear error when neither works.</summary>
    public async Task<DotnetConnection> ConnectAsync(DotnetProcess process, V1.Target target, CancellationToken cancellationToken)
    {
        if (process.SocketPath is { } socket)
        {
            SocketPathAlias? alias = null;
            try
            {
                alias = SocketPathAlias.For(socket);
                var connector = await DiagnosticsClientConnector.FromDiagnosticPort($"{alias.Path},connect", cancellationToken);
                return new DotnetConnection(connector.Instance, connector, alias);
            }
            catch (Exception e) when (e is DiagnosticsClientException or IOException or TimeoutException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
            {
                alias?.Dispose();
                if (!listen.Enabled) throw new ActionParameterException($"could not connect to the diagnostics socket of process {process.Pid}: {e.Message} (the process may have exited)");
            }
        }
        if (!listen.Enabled || target.PodUid.Length == 0)
        {
            throw new ActionParameterException($"process {process.Pid} runs .NET but has no diagnostics socket the agent can see: it runs with DOTNET_EnableDiagnostics=0, or its TMPDIR is not visible"
                + (listen.Enabled ? "" : "; listen mode (Agent:DiagnosticPortsDirectory and DOTNET_DiagnosticPorts in the pod) reaches such processes"));
        }
        var client = await listen.ConnectAsync(target.PodUid, process.NamespacePid, ListenWait, cancellationToken)
            ?? throw new ActionParameterException($"process {process.Pid} has no diagnostics socket the agent can see, and no runtime with pid {process.NamespacePid} connected to {listen.SocketOf(target.PodUid)} within {ListenWait.TotalSeconds:0}s (is DOTNET_DiagnosticPorts set in the pod?)");
        return new DotnetConnection(client, null);
    }
}
