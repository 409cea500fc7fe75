using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ops.SampleApp;

/// <summary>
/// The sample workload of the sandbox: a small "checkout" service that answers HTTP on LISTEN:PORT
/// (/healthz is 200, anything else 404), writes a log file at LOG_PATH with an ERROR every fifth
/// line, and keeps a backlog of orders on a worker thread, so diagnostics have a real .NET process, a
/// real port, a real file, a known stack and a known heap type to look at.
/// </summary>
internal static class Program
{
    public static async Task<int> Main()
    {
        var address = IPAddress.Parse(Environment.GetEnvironmentVariable("LISTEN") is { Length: > 0 } listen ? listen : "127.0.0.1");
        var port = int.TryParse(Environment.GetEnvironmentVariable("PORT"), out var p) ? p : 8080;
        var logPath = Environment.GetEnvironmentVariable("LOG_PATH") is { Length: > 0 } path ? path : Path.Combine("var", "log", "app", "app.log");
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

        OrderWorker.Start(stop.Token);
        var listener = new TcpListener(address, port);
        listener.Start();
        Console.WriteLine($"checkout listening on {address}:{port}, logging to {logPath}");
        try
        {
            await Task.WhenAll(ServeAsync(listener, stop.Token), LogAsync(logPath, stop.Token));
        }
        catch (OperationCanceledException)
        {
        }
        listener.Stop();
        return 0;
    }

    private static async Task ServeAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(cancellationToken);
            _ = Task.Run(() => AnswerAsync(client, cancellationToken), cancellationToken);
        }
    }

    private static async Task AnswerAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                var requestLine = await reader.ReadLineAsync(cancellationToken) ?? "";
                while (await reader.ReadLineAsync(cancellationToken) is { Length: > 0 }) { }
                var target = requestLine.Split(' ') is [_, var t, ..] ? t : "/";
                var (status, body) = target == "/healthz" ? ("200 OK", "ok\n") : ("404 Not Found", "not found\n");
                var response = $"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(response), cancellationToken);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
            }
        }
    }

    private static async Task LogAsync(string logPath, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        for (var n = 1; !cancellationToken.IsCancellationRequested; n++)
        {
            var line = n % 5 == 0 ? $"{TimeProvider.System.GetUtcNow():O} ERROR payment declined for order {n}" : $"{TimeProvider.System.GetUtcNow():O} INFO order {n} checked out";
            await File.AppendAllTextAsync(logPath, line + Environment.NewLine, cancellationToken);
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }
}
