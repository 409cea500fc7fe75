using System.Globalization;
using System.Text.Json;
using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>node.info: uptime, load, memory, disk, kernel and agent version of the node, as JSON.</summary>
public sealed class NodeInfoAction : IAgentAction
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public ActionDefinition Definition => ActionCatalogue.NodeInfo;

    public async Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var meminfo = (await ReadAsync("/proc/meminfo", cancellationToken)).Split('\n')
            .Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => long.TryParse(p[1].Trim().Split(' ')[0], out var kb) ? kb * 1024 : 0);
        var load = (await ReadAsync("/proc/loadavg", cancellationToken)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var uptime = (await ReadAsync("/proc/uptime", cancellationToken)).Split(' ')[0];
        var disk = new DriveInfo(Path.GetPathRoot(Path.GetFullPath(context.Options.DataDirectory)) ?? "/");
        var info = new
        {
            node = context.Options.NodeName,
            agentVersion = context.Options.Version,
            kernel = (await ReadAsync("/proc/sys/kernel/osrelease", cancellationToken)).Trim(),
            uptimeSeconds = double.TryParse(uptime, CultureInfo.InvariantCulture, out var up) ? up : 0,
            load = load.Take(3).Select(l => double.TryParse(l, CultureInfo.InvariantCulture, out var v) ? v : 0).ToArray(),
            memory = new { totalBytes = meminfo.GetValueOrDefault("MemTotal"), availableBytes = meminfo.GetValueOrDefault("MemAvailable") },
            disk = new { path = context.Options.DataDirectory, totalBytes = disk.TotalSize, freeBytes = disk.AvailableFreeSpace },
            processors = Environment.ProcessorCount,
        };
        return ActionOutcome.Success(JsonSerializer.Serialize(info, Indented));
    }

    private static async Task<string> ReadAsync(string path, CancellationToken cancellationToken) =>
        File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : "";
}
