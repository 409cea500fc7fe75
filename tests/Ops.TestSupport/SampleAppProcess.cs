using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ops.Sandbox.Hosting;

namespace Ops.TestSupport;

/// <summary>The sample .NET workload (sandbox/Ops.SampleApp) as a real process of its own, a diagnosis target.</summary>
public sealed class SampleAppProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SampleAppProcess(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
    }

    public int Pid => _process.Id;
    public int Port { get; }
    /// <summary>Its working directory; its log is var/log/app/app.log under it.</summary>
    public string Directory { get; }

    public static async Task<SampleAppProcess> StartAsync()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("ops-sample-app-").FullName;
        var port = LoopbackPorts.Free();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ops.SampleApp.dll"));
        start.Environment["LISTEN"] = "127.0.0.1";
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Eventually.True(async () =>
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException) when (!process.HasExited)
            {
                return false;
            }
        }, "the sample app to listen");
        return new SampleAppProcess(process, port, directory);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
