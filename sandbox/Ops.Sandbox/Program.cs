using Microsoft.Extensions.Logging;
using Ops.Sandbox.Hosting;

namespace Ops.Sandbox;

internal static class Program
{
    private const string Usage = """
        usage: Ops.Sandbox up [--port N] [--data-dir DIR] [--kubeconfig PATH] [--manifests DIR]... [--nodes N]

        Starts the embedded Kubernetes API server on 127.0.0.1, writes a kubeconfig for kubectl,
        applies the manifests (default: the repository's crds/ when found) and runs until stopped.
        With --nodes, N simulated nodes run pods of the image "sleep" as processes.
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args is not ["up", .. var rest])
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var options = new SandboxOptions();
        var manifests = new List<string>();
        for (var i = 0; i < rest.Length; i++)
        {
            string Value() => i + 1 < rest.Length ? rest[++i] : throw new ArgumentException($"{rest[i]} needs a value");
            try
            {
                switch (rest[i])
                {
                    case "--port": options = options with { Port = int.Parse(Value()) }; break;
                    case "--data-dir": options = options with { DataDirectory = Path.GetFullPath(Value()) }; break;
                    case "--kubeconfig": options = options with { KubeconfigPath = Path.GetFullPath(Value()) }; break;
                    case "--manifests": manifests.Add(Path.GetFullPath(Value())); break;
                    case "--nodes" when int.TryParse(Value(), out var nodes) && nodes is >= 0 and <= 250: options = options with { Nodes = nodes }; break;
                    case "--nodes": throw new ArgumentException("--nodes takes a number from 0 to 250");
                    default: throw new ArgumentException($"unknown option {rest[i]}");
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                Console.Error.WriteLine($"error: {e.Message}\n\n{Usage}");
                return 2;
            }
        }
        if (manifests.Count == 0 && RepositoryDirectory.Find("crds") is { } repository) manifests.Add(Path.Combine(repository, "crds"));
        options = options with { ManifestDirectories = manifests, Images = new Dictionary<string, Nodes.SandboxImage> { ["sleep"] = Nodes.SandboxImage.Sleep } };
        if (options.KubeconfigPath is null && options.DataDirectory is null)
        {
            // A stable place, so `export KUBECONFIG=$PWD/.sandbox/kubeconfig` keeps working across runs.
            var root = RepositoryDirectory.Find() ?? Directory.GetCurrentDirectory();
            options = options with { KubeconfigPath = Path.Combine(Path.GetFullPath(root), ".sandbox", "kubeconfig") };
        }

        // The web host handles SIGINT and SIGTERM itself; Main waits for the host to begin stopping.
        using var stop = new CancellationTokenSource();

        SandboxServer server;
        try
        {
            server = await SandboxServer.StartAsync(options, logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning), stop.Token);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"error: the sandbox could not start: {e.Message}");
            return 1;
        }
        await using var running = server;
        Console.WriteLine($"sandbox API server: {server.Url}");
        Console.WriteLine($"applied manifests from: {(manifests.Count == 0 ? "(none)" : string.Join(", ", manifests))}");
        Console.WriteLine($"kubeconfig: {server.KubeconfigPath}");
        Console.WriteLine($"try: kubectl --kubeconfig {server.KubeconfigPath} get crds");
        Console.WriteLine("press Ctrl+C to stop");
        try
        {
            await Task.Delay(Timeout.Infinite, server.Stopping);
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }
}
