using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Ops.TestSupport;

/// <summary>The real agent executable as a separate process, so a test can kill it the way a node loses it.</summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;

    private AgentProcess(Process process, string address, string dataDirectory)
    {
        _process = process;
        Address = address;
        DataDirectory = dataDirectory;
    }

    public string Address { get; }
    public string DataDirectory { get; }
    public int Pid => _process.Id;

    /// <summary>Starts the agent built beside the tests, or the one in <paramref name="agentDirectory"/> (a published build, for the bench).</summary>
    public static async Task<AgentProcess> StartAsync(TestPki pki, string node, string? dataDirectory = null, IReadOnlyDictionary<string, string?>? settings = null, string? agentDirectory = null)
    {
        dataDirectory ??= TestWorkspace.CreateDirectory("agent-");
        var port = Ops.Sandbox.Hosting.LoopbackPorts.Free();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(agentDirectory ?? AppContext.BaseDirectory, "Ops.Agent.dll"));
        foreach (var (key, value) in AgentSettings.For(node, "127.0.0.1", port, pki.AgentCertificatePath, pki.AgentKeyPath, pki.CaPath, dataDirectory, settings)) start.ArgumentList.Add($"--{key}={value}");
        var process = TestWorkspace.Start(start);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + Timeouts.Eventually;
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }
        return new AgentProcess(process, $"127.0.0.1:{port}", dataDirectory);
    }

    /// <summary>SIGKILL: no shutdown, no last words.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }


    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await KillAsync();
        _process.Dispose();
    }
}
