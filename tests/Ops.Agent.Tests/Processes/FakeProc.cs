namespace Ops.Agent.Tests.Processes;

/// <summary>A fixture /proc tree: each process gets status, cmdline, cgroup and a root directory.</summary>
internal sealed class FakeProc : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("ops-proc-").FullName;

    public string Add(int pid, int ppid, string name, string cgroup, int? nspid = null, char state = 'S')
    {
        var dir = Path.Combine(Root, pid.ToString());
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "status"), $"Name:\t{name}\nState:\t{state} (sleeping)\nPid:\t{pid}\nPPid:\t{ppid}\nNSpid:\t{pid}{(nspid is { } inner ? "\t" + inner : "")}\nVmRSS:\t  2048 kB\n");
        File.WriteAllText(Path.Combine(dir, "cmdline"), $"/usr/bin/{name}\0--flag\0");
        File.WriteAllText(Path.Combine(dir, "cgroup"), cgroup + "\n");
        var root = Path.Combine(dir, "root");
        Directory.CreateDirectory(root);
        return root;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
