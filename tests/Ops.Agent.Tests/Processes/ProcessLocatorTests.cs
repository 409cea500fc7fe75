using Microsoft.Extensions.Options;
using Ops.Agent.Actions;
using Ops.Agent.Hosting;
using Ops.Agent.Processes;
using Ops.Agent.V1;

namespace Ops.Agent.Tests.Processes;

public sealed class ProcessLocatorTests : IDisposable
{
    private const string Containerd = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa99887766554433221100";
    private const string Docker = "aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999";
    private readonly FakeProc _proc = new();
    private readonly ProcessLocator _locator;

    public ProcessLocatorTests()
    {
        _proc.Add(1, 0, "systemd", "0::/init.scope");
        _proc.Add(100, 90, "dotnet", $"0::/kubepods.slice/kubepods-burstable.slice/cri-containerd-{Containerd}.scope", nspid: 1);
        _proc.Add(101, 100, "helper", $"0::/kubepods.slice/kubepods-burstable.slice/cri-containerd-{Containerd}.scope", nspid: 7);
        _proc.Add(200, 1, "nginx", $"12:pids:/kubepods/besteffort/pod1234/{Docker}");
        _locator = new ProcessLocator(Options.Create(new AgentOptions { ProcRoot = _proc.Root }));
    }

    private static Target Pod(string containerId, ProcessSelector? process = null) => new() { Pod = "p", Container = "c", ContainerId = containerId, Process = process };

    [Fact]
    public void A_containerd_id_finds_the_container_processes_by_cgroup_and_its_main_process()
    {
        var target = Pod($"containerd://{Containerd}");

        Assert.Equal([100, 101], _locator.ProcessesOf(target).Select(p => p.Pid));
        Assert.Equal(100, _locator.Select(target).Pid);
        Assert.Equal("dotnet", _locator.Select(target).Name);
    }

    [Fact]
    public void Pid_is_the_one_seen_inside_the_container_and_name_is_a_regex()
    {
        Assert.Equal(101, _locator.Select(Pod($"containerd://{Containerd}", new ProcessSelector { Pid = 7 })).Pid);
        Assert.Equal(101, _locator.Select(Pod($"containerd://{Containerd}", new ProcessSelector { Name = "^help" })).Pid);
        Assert.Equal(200, _locator.Select(Pod($"docker://{Docker}")).Pid);
    }

    [Fact]
    public void A_sandbox_id_is_the_process_tree_under_its_pid_and_node_targets_see_everything()
    {
        Assert.Equal([100, 101], _locator.ProcessesOf(Pod("sandbox://100")).Select(p => p.Pid));
        Assert.Equal([1, 100, 101, 200], _locator.ProcessesOf(new Target { Node = true }).Select(p => p.Pid));
    }

    [Fact]
    public void A_process_name_with_spaces_and_parentheses_does_not_confuse_the_tree()
    {
        _proc.Add(201, 200, "evil) 1 (x", "0::/x");
        _proc.Add(202, 201, "child", "0::/x");

        Assert.Equal([200, 201, 202], _locator.ProcessesOf(Pod("sandbox://200")).Select(p => p.Pid));
    }

    [Theory]
    [InlineData("containerd://0000000000000000000000000000000000000000000000000000000000000000", null, "no running process found")]
    [InlineData("rkt://abc", null, "is not one this agent knows")]
    [InlineData("sandbox://x", null, "is not sandbox://<pid>")]
    [InlineData($"containerd://{Containerd}", "[", "is not a valid regular expression")]
    [InlineData($"containerd://{Containerd}", "nothing-like-this", "no process matching")]
    public void A_target_that_matches_nothing_is_a_clear_error(string containerId, string? name, string reason)
    {
        var error = Assert.Throws<ActionParameterException>(() => _locator.Select(Pod(containerId, name is null ? null : new ProcessSelector { Name = name })));

        Assert.Contains(reason, error.Message);
    }

    public void Dispose() => _proc.Dispose();
}
