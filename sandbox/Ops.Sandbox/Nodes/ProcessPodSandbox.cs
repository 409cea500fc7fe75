using System.Diagnostics;
using System.Text.Json.Nodes;
using Ops.Sandbox.Processes;

namespace Ops.Sandbox.Nodes;

/// <summary>A pod of the process runtime: its directory, and a process (real or simulated) per container.</summary>
internal sealed class ProcessPodSandbox(PodSandboxRequest request, IReadOnlyDictionary<string, SandboxImage> images, PodSpecResolver resolver, string kubeconfig, SandboxWorkspace workspace) : IPodSandbox
{
    public Task<IContainerProcess> StartContainerAsync(JsonObject spec, int attempt, CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult(Launch(spec, attempt));
        }
        catch (PodSpecResolver.ConfigException e)
        {
            throw new ContainerStartException(ContainerStartException.CreateContainerConfigError, e.Message, e);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            throw new ContainerStartException(ContainerStartException.RunContainerError, e.Message, e);
        }
    }

    private IContainerProcess Launch(JsonObject spec, int attempt)
    {
        var reference = (string?)spec["image"] ?? "";
        if (!images.TryGetValue(SandboxImage.NameOf(reference), out var named))
        {
            throw new ContainerStartException(ContainerStartException.ErrImagePull, $"image \"{reference}\" is not one the sandbox runs (it runs: {string.Join(", ", images.Keys.Order(StringComparer.Ordinal))})");
        }
        var image = named.For(reference);
        var rootfs = Path.Combine(request.Directory, "rootfs");
        Directory.CreateDirectory(rootfs);
        var mounts = resolver.Mounts(request.Pod, spec, rootfs, request.NodeRoot);
        var env = resolver.Environment(request.Pod, spec, request.Node, request.PodIp);
        var command = (spec["command"] as JsonArray)?.Select(a => (string?)a ?? "").ToList();
        var args = (spec["args"] as JsonArray)?.Select(a => (string?)a ?? "").ToList();
        if (image.InProcess is { } inProcess)
        {
            return inProcess(new ContainerLaunch(request.Node, request.PodIp, reference, rootfs,
                env.ToDictionary(e => e.Key, e => PodSpecResolver.Rewrite(e.Value, mounts), StringComparer.Ordinal),
                [.. args?.Select(a => PodSpecResolver.Rewrite(a, mounts)) ?? image.DefaultArgs]));
        }
        var start = new ProcessStartInfo(command is { Count: > 0 } ? command[0] : image.FileName)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = false, WorkingDirectory = rootfs,
        };
        // Only what the pod spec says is rewritten to the pod's mounts: the image's own entrypoint and default
        // arguments are paths of this machine (a build output under /tmp must not become the pod's /tmp volume).
        var entrypoint = command is { Count: > 0 } ? command.Skip(1).Select(a => PodSpecResolver.Rewrite(a, mounts)) : image.Entrypoint;
        var arguments = args is not null ? args.Select(a => PodSpecResolver.Rewrite(a, mounts)) : image.DefaultArgs;
        foreach (var arg in entrypoint.Concat(arguments)) start.ArgumentList.Add(arg);
        // In a cluster a pod reaches the API through its service account; here through the sandbox's kubeconfig.
        start.Environment["KUBECONFIG"] = kubeconfig;
        foreach (var (name, value) in env) start.Environment[name] = PodSpecResolver.Rewrite(value, mounts);
        var process = workspace.Start(start);
        // Laid out as a kubelet lays out container logs: one file per start, so the previous run's stays readable.
        var logPath = Path.Combine(request.Directory, "logs", (string?)spec["name"] ?? "", $"{attempt}.log");
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var gate = new Lock();
        var openStreams = 2;
        // Each stream ends with a null line; the log is closed after both, never while a line may still come.
        void Write(string? line)
        {
            lock (gate)
            {
                if (line is not null) log.WriteLine(line);
                else if (--openStreams == 0) log.Dispose();
            }
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new OsProcess(process, new ContainerLog(logPath, CriFormat: false));
    }

    /// <summary>The processes are stopped by the kubelet before; the pod's files go with its directory.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
