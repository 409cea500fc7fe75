using System.Globalization;
using System.Text.Json.Nodes;
using Ops.Sandbox.Containers.Cri;
using Ops.Sandbox.Nodes;

namespace Ops.Sandbox.Containers;

/// <summary>
/// A pod spec's container as a kubelet hands it to the CRI: command and args, env, volumes as bind mounts
/// (Secret, ConfigMap and projected ones read-only), the pod's and the container's securityContext merged (the
/// container's wins), runAsNonRoot checked against the image's user, resources as cgroup limits, and the
/// default masked and read-only /proc paths of an unprivileged container.
/// </summary>
internal static class CriContainerConfig
{
    private static readonly string[] MaskedPaths = ["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"];
    private static readonly string[] ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    public static ContainerConfig Build(JsonObject pod, JsonObject spec, int attempt, Image image, IReadOnlyDictionary<string, string> mounts, IReadOnlyDictionary<string, string> env, Uri apiServer)
    {
        var name = (string?)spec["name"] ?? "";
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = name, Attempt = (uint)attempt },
            Image = new ImageSpec { Image = image.Id },
            WorkingDir = (string?)spec["workingDir"] ?? "",
            LogPath = $"{name}/{attempt}.log",
            Linux = new LinuxContainerConfig { Resources = Resources(spec), SecurityContext = Security(pod, spec, image) },
        };
        config.Command.AddRange((spec["command"] as JsonArray ?? []).Select(a => (string?)a ?? ""));
        config.Args.AddRange((spec["args"] as JsonArray ?? []).Select(a => (string?)a ?? ""));
        // As a kubelet does: the API server's address for in-cluster configuration; the pod's own env wins.
        config.Envs.AddRange(Hosting.ApiServerLocation.ServiceEnvironment(apiServer).Where(e => !env.ContainsKey(e.Key)).Select(e => new KeyValue { Key = e.Key, Value = e.Value }));
        config.Envs.AddRange(env.Select(e => new KeyValue { Key = e.Key, Value = e.Value }));
        var volumes = (pod["spec"]?["volumes"] as JsonArray ?? []).OfType<JsonObject>().ToDictionary(v => (string?)v["name"] ?? "", StringComparer.Ordinal);
        foreach (var mount in (spec["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var path = ((string?)mount["mountPath"] ?? "").TrimEnd('/');
            if (!mounts.TryGetValue(path, out var host)) continue;
            var volume = volumes.GetValueOrDefault((string?)mount["name"] ?? "");
            var alwaysReadOnly = volume is not null && (volume["secret"] is not null || volume["configMap"] is not null || volume["projected"] is not null);
            config.Mounts.Add(new Mount { ContainerPath = path, HostPath = host, Readonly = alwaysReadOnly || (bool?)mount["readOnly"] == true });
        }
        foreach (var (key, value) in new Dictionary<string, string> { ["io.kubernetes.container.name"] = name, ["io.kubernetes.pod.name"] = (string?)pod["metadata"]?["name"] ?? "", ["io.kubernetes.pod.namespace"] = (string?)pod["metadata"]?["namespace"] ?? "" })
        {
            config.Labels[key] = value;
        }
        return config;
    }

    private static LinuxContainerResources Resources(JsonObject spec)
    {
        var resources = new LinuxContainerResources { CpuShares = 2 };
        try
        {
            if ((string?)spec["resources"]?["limits"]?["memory"] is { } memory) resources.MemoryLimitInBytes = (long)ResourceQuantity.Parse(memory);
            if ((string?)spec["resources"]?["limits"]?["cpu"] is { } cpu)
            {
                resources.CpuPeriod = 100_000;
                resources.CpuQuota = Math.Max(1000, (long)(ResourceQuantity.Parse(cpu) * 100_000));
            }
            var request = (string?)spec["resources"]?["requests"]?["cpu"] ?? (string?)spec["resources"]?["limits"]?["cpu"];
            if (request is not null) resources.CpuShares = Math.Max(2, (long)(ResourceQuantity.Parse(request) * 1024));
        }
        catch (FormatException e)
        {
            throw new ContainerStartException(ContainerStartException.CreateContainerConfigError, e.Message, e);
        }
        return resources;
    }

    private static LinuxContainerSecurityContext Security(JsonObject pod, JsonObject spec, Image image)
    {
        var podContext = pod["spec"]?["securityContext"] as JsonObject ?? [];
        var context = spec["securityContext"] as JsonObject ?? [];
        JsonNode? Setting(string key) => context[key] ?? podContext[key];
        var privileged = (bool?)context["privileged"] == true;
        var security = new LinuxContainerSecurityContext
        {
            Privileged = privileged,
            NamespaceOptions = CriRuntime.Namespaces(pod["spec"] as JsonObject ?? []),
            ReadonlyRootfs = (bool?)context["readOnlyRootFilesystem"] == true,
            NoNewPrivs = (bool?)context["allowPrivilegeEscalation"] == false,
            Capabilities = new Capability(),
        };
        security.Capabilities.AddCapabilities.AddRange((context["capabilities"]?["add"] as JsonArray ?? []).Select(c => (string?)c ?? ""));
        security.Capabilities.DropCapabilities.AddRange((context["capabilities"]?["drop"] as JsonArray ?? []).Select(c => (string?)c ?? ""));
        if (!privileged)
        {
            security.MaskedPaths.AddRange(MaskedPaths);
            security.ReadonlyPaths.AddRange(ReadonlyPaths);
        }
        security.SupplementalGroups.AddRange((podContext["supplementalGroups"] as JsonArray ?? []).Select(g => (long?)g ?? 0));
        if ((long?)podContext["fsGroup"] is { } fsGroup) security.SupplementalGroups.Add(fsGroup);
        var runAsUser = (long?)Setting("runAsUser");
        if (runAsUser is { } user) security.RunAsUser = new Int64Value { Value = user };
        else if (image.Uid is { } imageUid) security.RunAsUser = new Int64Value { Value = imageUid.Value };
        else if (image.Username.Length > 0) security.RunAsUsername = image.Username;
        if ((long?)Setting("runAsGroup") is { } group) security.RunAsGroup = new Int64Value { Value = group };
        if ((bool?)Setting("runAsNonRoot") == true) VerifyNonRoot(pod, spec, runAsUser, image);
        return security;
    }

    /// <summary>The kubelet's check, with its messages: the user the container will run as must be known and not root.</summary>
    private static void VerifyNonRoot(JsonObject pod, JsonObject spec, long? runAsUser, Image image)
    {
        var where = $"(pod: \"{pod["metadata"]?["name"]}_{pod["metadata"]?["namespace"]}({pod["metadata"]?["uid"]})\", container: {spec["name"]})";
        string? problem = runAsUser switch
        {
            0 => $"container's runAsUser breaks non-root policy {where}",
            not null => null,
            _ when image.Uid is { Value: 0 } => $"container has runAsNonRoot and image will run as root {where}",
            _ when image.Uid is null && image.Username.Length > 0 && !long.TryParse(image.Username, NumberStyles.None, CultureInfo.InvariantCulture, out _) =>
                $"container has runAsNonRoot and image has non-numeric user ({image.Username}), cannot verify user is non-root {where}",
            _ when image.Uid is null && image.Username.Length == 0 => $"container has runAsNonRoot and image will run as root {where}",
            _ => null,
        };
        if (problem is not null) throw new ContainerStartException(ContainerStartException.CreateContainerConfigError, problem);
    }
}
