using Ops.TestSupport;

namespace Ops.Agent.Tests.Processes;

/// <summary>A fixture /proc tree: each process gets status, stat, cmdline, cgroup and a root directory.</summary>
internal sealed class FakeProc : IDisposable
{
    public string Root { get; } = TestWorkspace.CreateDirectory("proc-");

    public string Add(int pid, int ppid, string name, string cgroup, int? nspid = null, char state = 'S')
    {
        var dir = Path.Combine(Root, pid.ToString());
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "status"), $"Name:\t{name}\nState:\t{state} (sleeping)\nPid:\t{pid}\nPPid:\t{ppid}\nNSpid:\t{pid}{(nspid is { } inner ? "\t" + inner : "")}\nVmRSS:\t  2048 kB\n");
        // As the kernel writes it: the name in parentheses may itself hold spaces and parentheses.
        File.WriteAllText(Path.Combine(dir, "stat"), $"{pid} ({name}) {state} {ppid} {pid} {pid} 0 -1 4194560 100 0 0 0 1 1 0 0 20 0 1 0 100 1000 200\n");
        File.WriteAllText(Path.Combine(dir, "cmdline"), $"/usr/bin/{name}\0--flag\0");
        File.WriteAllText(Path.Combine(dir, "cgroup"), cgroup + "\n");
        var root = Path.Combine(dir, "root");
        Directory.CreateDirectory(root);
        return root;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
