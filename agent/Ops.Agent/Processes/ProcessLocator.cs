using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Ops.Agent.Actions;
using Ops.Agent.Hosting;
using Ops.Agent.V1;

namespace Ops.Agent.Processes;

/// <summary>
/// Finds the processes of a pod's container from its container id, without sidecars: containerd,
/// CRI-O and Docker ids by scanning every process's cgroup for the id; sandbox://pid is the process
/// tree rooted at that pid. Then picks the target process (pid as seen inside the container, name
/// regex, or the container's main process).
/// </summary>
public sealed class ProcessLocator(IOptions<AgentOptions> options)
{
    private static readonly Regex RuntimeId = new(@"^(containerd|cri-o|docker)://([0-9a-f]{12,64})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    public ProcFs Proc { get; } = new(options.Value.ProcRoot);

    /// <summary>Every process of the target: the container's, or the node's for node targets.</summary>
    public IReadOnlyList<ProcessInfo> ProcessesOf(Target target)
    {
        if (target.Node) return [.. Proc.Pids().Select(Proc.Read).OfType<ProcessInfo>().OrderBy(p => p.Pid)];
        var id = target.ContainerId;
        if (id.StartsWith("sandbox://", StringComparison.Ordinal))
        {
            if (!int.TryParse(id["sandbox://".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var root)) throw new ActionParameterException($"container id \"{id}\" is not sandbox://<pid>");
            return Tree(root);
        }
        var match = RuntimeId.Match(id);
        if (!match.Success) throw new ActionParameterException($"container id \"{id}\" is not one this agent knows (containerd://, cri-o://, docker://, sandbox://)");
        var hex = match.Groups[2].Value;
        return [.. Proc.Pids().Where(pid => Proc.ReadText(pid, "cgroup").Contains(hex, StringComparison.Ordinal)).Select(Proc.Read).OfType<ProcessInfo>().OrderBy(p => p.Pid)];
    }

    /// <summary>
    /// Where the target's files are: the process's root (its mount namespace) for real containers. A
    /// sandbox:// container shares the node's root, so its file system is the directory its main
    /// process runs in (the sandbox's kubelet starts it there).
    /// </summary>
    public string FileRootOf(Target target, ProcessInfo process) =>
        target.ContainerId.StartsWith("sandbox://", StringComparison.Ordinal) && int.TryParse(target.ContainerId["sandbox://".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var main)
            ? Proc.CwdOf(main)
            : Proc.RootOf(process.Pid);

    /// <summary>The one process an action works on; a clear error when there is none.</summary>
    public ProcessInfo Select(Target target) => Select(target, ProcessesOf(target));

    /// <summary>The one process an action works on, among the target's processes already read.</summary>
    public ProcessInfo Select(Target target, IReadOnlyList<ProcessInfo> processes)
    {
        if (processes.Count == 0) throw new ActionParameterException(target.Node ? "no processes are visible on this node" : $"no running process found for container {target.Container} ({target.ContainerId})");
        var selector = target.Process;
        if (selector is { Pid: > 0 })
        {
            return processes.FirstOrDefault(p => p.NamespacePid == selector.Pid || (target.Node && p.Pid == selector.Pid))
                ?? throw new ActionParameterException($"no process with pid {selector.Pid} in the target");
        }
        if (selector is { Name.Length: > 0 })
        {
            Regex pattern;
            try
            {
                pattern = new Regex(selector.Name, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException e)
            {
                throw new ActionParameterException($"process name \"{selector.Name}\" is not a valid regular expression: {e.Message}");
            }
            return processes.FirstOrDefault(p => pattern.IsMatch(p.Name) || pattern.IsMatch(p.CommandLine))
                ?? throw new ActionParameterException($"no process matching \"{selector.Name}\" in the target");
        }
        // The main process: the one whose parent is outside the container.
        var pids = processes.Select(p => p.Pid).ToHashSet();
        return processes.FirstOrDefault(p => !pids.Contains(p.ParentPid)) ?? processes[0];
    }

    /// <summary>The process tree under root. Parents come from each process's one-line stat, so only the tree's own members are read in full.</summary>
    private List<ProcessInfo> Tree(int root)
    {
        var children = Proc.Pids().Select(pid => (Pid: pid, Parent: Proc.ParentOf(pid))).Where(p => p.Parent >= 0).ToLookup(p => p.Parent, p => p.Pid);
        var tree = new List<ProcessInfo>();
        var pending = new Queue<int>([root]);
        while (pending.TryDequeue(out var pid))
        {
            if (Proc.Read(pid) is not { } process) continue;
            tree.Add(process);
            foreach (var child in children[pid]) pending.Enqueue(child);
        }
        return [.. tree.OrderBy(p => p.Pid)];
    }
}
