using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Ops.Sandbox.Hosting;
using Ops.Sandbox.Processes;

namespace Ops.Sandbox.Nodes;

/// <summary>A pod of the process runtime: its directory, and a process (real or simulated) per container.</summary>
internal sealed class ProcessPodSandbox(PodSandboxRequest request, IReadOnlyDictionary<string, SandboxImage> images, PodSpecResolver resolver, Uri apiServer, SandboxWorkspace workspace, TimeProvider clock) : IPodSandbox
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
        var env = ApiServerLocation.ServiceEnvironment(apiServer);
        foreach (var (name, value) in resolver.Environment(request.Pod, spec, request.Node, request.PodIp)) env[name] = value;
        // A process cannot find its service account at /var/run/secrets/...: that path is this machine's. A kubeconfig
        // of the pod's own holds the projected token and names the CA where it is, for clients that read KUBECONFIG
        // first (KubernetesClient reads no tokenFile from a kubeconfig, so the token is copied in).
        // (Set after the pod's paths are rewritten: it is a path of this machine already.)
        string? kubeconfig = null;
        if (mounts.TryGetValue(Strategies.ServiceAccountAdmission.MountPath, out var account))
        {
            kubeconfig = Path.Combine(request.Directory, "service-account.kubeconfig");
            File.WriteAllText(kubeconfig, Kubeconfig.RenderForServiceAccount(apiServer.ToString().TrimEnd('/'), Path.Combine(account, "ca.crt"), File.ReadAllText(Path.Combine(account, "token"))));
        }
        var command = (spec["command"] as JsonArray)?.Select(a => (string?)a ?? "").ToList();
        var args = (spec["args"] as JsonArray)?.Select(a => (string?)a ?? "").ToList();
        if (image.InProcess is { } inProcess)
        {
            return inProcess(new ContainerLaunch(request.Node, request.PodIp, reference, rootfs,
                new Dictionary<string, string>(env.Select(e => KeyValuePair.Create(e.Key, PodSpecResolver.Rewrite(e.Value, mounts)))
                    .Concat(kubeconfig is null ? [] : new[] { KeyValuePair.Create("KUBECONFIG", kubeconfig) }), StringComparer.Ordinal),
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
        foreach (var (name, value) in env) start.Environment[name] = PodSpecResolver.Rewrite(value, mounts);
        // This machine's KUBECONFIG is not the pod's: without a token the pod has no way in, as in a cluster.
        if (kubeconfig is null) start.Environment.Remove("KUBECONFIG");
        else start.Environment["KUBECONFIG"] = kubeconfig;
        var process = workspace.Start(start);
        // Laid out as a kubelet lays out container logs: one file per start, so the previous run's stays readable.
        var logPath = Path.Combine(request.Directory, "logs", (string?)spec["name"] ?? "", $"{attempt}.log");
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var gate = new Lock();
        var openStreams = 2;
        // Each stream ends with a null line; the log is closed after both, never while a line may still come. Lines are
        // written in the CRI log format a container runtime writes (time, stream, tag), so logs --timestamps and --since work.
        void Write(string stream, string? line)
        {
            lock (gate)
            {
                if (line is not null) log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clock.GetUtcNow().UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'} {stream} F {line}"));
                else if (--openStreams == 0) log.Dispose();
            }
        }
        process.OutputDataReceived += (_, e) => Write("stdout", e.Data);
        process.ErrorDataReceived += (_, e) => Write("stderr", e.Data);
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new OsProcess(process, new ContainerLog(logPath, CriFormat: true));
    }

    /// <summary>The processes are stopped by the kubelet before; the pod's files go with its directory.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
