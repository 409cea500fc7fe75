using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Ops.Sandbox.Containers.Cri;
using Ops.Sandbox.Processes;

namespace Ops.Sandbox.Containers;

/// <summary>How the sandbox's containerd is stopped and what a killed one left is removed.</summary>
public sealed partial class ContainerdDaemon
{
    /// <summary>Cleans up the directories of containerds whose sandbox died without stopping them.</summary>
    private static async Task RemoveLeftoversAsync(SandboxWorkspace workspace, ILogger logger, CancellationToken cancellationToken)
    {
        if (!System.IO.Directory.Exists(Root)) return;
        foreach (var directory in System.IO.Directory.EnumerateDirectories(Root))
        {
            if (DirectoryOwner.IsAlive(directory)) continue;
            Log.RemovingLeftovers(logger, directory);
            try
            {
                if (File.Exists(Path.Combine(directory, ContainerdConfig.FileName)))
                {
                    var (process, cri, _) = await LaunchAsync(directory, workspace, TimeSpan.FromSeconds(30), cancellationToken);
                    await StopAsync(Path.GetFileName(directory), directory, process, cri, workspace, logger);
                }
                else
                {
                    Remove(Path.GetFileName(directory), directory, logger);
                }
            }
            catch (InvalidOperationException e)
            {
                // A leftover that cannot be cleaned must not stop this sandbox; the next start tries again.
                Log.LeftoversRemain(logger, directory, e.Message);
            }
        }
    }

    /// <summary>
    /// Removes every pod sandbox, stops containerd, then removes mounts, cgroups and the directory. A containerd
    /// that died first (a terminal's Ctrl+C reaching it, say) is started again on its state to remove them.
    /// </summary>
    private static async Task StopAsync(string id, string directory, Process process, CriClient cri, SandboxWorkspace workspace, ILogger logger)
    {
        var removed = await RemoveSandboxesAsync(cri, directory, logger);
        await EndAsync(process);
        if (!removed && File.Exists(Path.Combine(directory, ContainerdConfig.FileName)))
        {
            try
            {
                var (again, againCri, _) = await LaunchAsync(directory, workspace, TimeSpan.FromSeconds(30), CancellationToken.None);
                await RemoveSandboxesAsync(againCri, directory, logger);
                await EndAsync(again);
            }
            catch (InvalidOperationException e)
            {
                Log.SandboxesRemain(logger, directory, e.Message);
            }
        }
        Remove(id, directory, logger);
    }

    private static async Task<bool> RemoveSandboxesAsync(CriClient cri, string directory, ILogger logger)
    {
        using (cri)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                var sandboxes = await cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), cancellationToken: timeout.Token);
                foreach (var sandbox in sandboxes.Items)
                {
                    await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandbox.Id }, cancellationToken: timeout.Token);
                    await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandbox.Id }, cancellationToken: timeout.Token);
                }
                return true;
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException)
            {
                Log.SandboxesRemain(logger, directory, e.Message);
                return false;
            }
        }
    }

    /// <summary>SIGTERM (containerd stops its plugins and leaves its shims be), SIGKILL after 10 seconds.</summary>
    private static async Task EndAsync(Process process)
    {
        if (!process.HasExited)
        {
            Signals.Send(process.Id, Signals.Terminate);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
        }
        process.Dispose();
    }

    private static void Remove(string id, string directory, ILogger logger)
    {
        // Whatever still runs in the sandbox's cgroups is one of its containers that outlived the runtime: it goes
        // before the mounts under it do.
        var cgroup = $"/ops-sandbox/{id}";
        var survivors = Cgroups.Processes(cgroup);
        if (survivors.Count > 0)
        {
            Log.KillingSurvivors(logger, survivors.Count, directory);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (survivors.Count > 0 && DateTime.UtcNow < deadline)
            {
                foreach (var pid in survivors) Signals.Send(pid, Signals.Kill);
                Thread.Sleep(100);
                survivors = Cgroups.Processes(cgroup);
            }
        }
        var stuck = HostMounts.RemoveUnder(directory);
        Cgroups.Remove(cgroup);
        // The parent all sandboxes share goes with the last of them (a busy one stays).
        Cgroups.Remove("/ops-sandbox", recursive: false);
        if (stuck.Count > 0)
        {
            // Deleting through a mount would delete what it shows: the directory stays for the next start.
            Log.MountsRemain(logger, directory, string.Join("; ", stuck));
            return;
        }
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.MountsRemain(logger, directory, e.Message);
        }
    }
}
