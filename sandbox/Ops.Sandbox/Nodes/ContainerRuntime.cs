using System.Text.Json.Nodes;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Nodes;

/// <summary>
/// One container of a running pod: its process (real, containerd's or simulated), restarts and readiness. The
/// process before the current one is kept until the next restart, as a kubelet keeps the last exited container
/// (its log is what <c>kubectl logs --previous</c> shows).
/// </summary>
internal sealed class ContainerRuntime(string name, string image)
{
    private readonly Lock _lock = new();

    public string Name => name;
    public string Image => image;
    public IContainerProcess? Process { get; private set; }

    /// <summary>The container's previous process, exited, while the current one runs.</summary>
    public IContainerProcess? Previous { get; private set; }
    public int RestartCount { get; private set; }
    public bool Ready { get; private set; }

    /// <summary>When the container last became ready: the Ready condition's transition time (minReadySeconds counts from it).</summary>
    public DateTimeOffset? ReadySince { get; private set; }

    /// <summary>When the container last became not ready (its probe failed, it restarted or exited): the not-Ready condition's transition time.</summary>
    public DateTimeOffset? UnreadySince { get; private set; }

    public void BecameReady(DateTimeOffset now)
    {
        lock (_lock)
        {
            Ready = true;
            ReadySince = now;
        }
    }

    /// <summary>Its readiness probe failed enough times in a row.</summary>
    public void BecameUnready(DateTimeOffset now)
    {
        lock (_lock) NotReady(now);
    }

    /// <summary>Not ready from now on: the moment is kept only when it was ready, as a condition's transition time is.</summary>
    private void NotReady(DateTimeOffset now)
    {
        if (Ready) UnreadySince = now;
        Ready = false;
    }

    public DateTimeOffset? StartedAt { get; private set; }
    public (string Reason, string Message)? Waiting { get; set; }
    public (int ExitCode, string? Reason, DateTimeOffset FinishedAt)? Terminated { get; private set; }
    public (int ExitCode, string? Reason, DateTimeOffset FinishedAt)? LastTerminated { get; private set; }

    /// <summary>How many times it has been started: the CRI's attempt number of the next start.</summary>
    public int Starts { get; private set; }

    public void Started(IContainerProcess process, DateTimeOffset now)
    {
        IContainerProcess? gone;
        lock (_lock)
        {
            if (Terminated is not null) { LastTerminated = Terminated; RestartCount++; }
            gone = Previous;
            Previous = Process;
            Process = process;
            Starts++;
            StartedAt = now;
            Waiting = null;
            Terminated = null;
            NotReady(now);
        }
        gone?.Dispose();
    }

    public void Exited(int exitCode, string? reason, DateTimeOffset now)
    {
        lock (_lock)
        {
            Terminated = (exitCode, reason, now);
            NotReady(now);
        }
    }

    public JsonObject Status()
    {
        lock (_lock)
        {
            JsonObject state = Waiting is { } w ? new JsonObject { ["waiting"] = new JsonObject { ["reason"] = w.Reason, ["message"] = w.Message } }
                : StartedAt is null ? new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } }
                : Terminated is { } t ? new JsonObject { ["terminated"] = TerminatedState(t) }
                : new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Timestamps.Format(StartedAt!.Value) } };
            var status = new JsonObject
            {
                ["name"] = name,
                ["image"] = image,
                ["imageID"] = "",
                ["ready"] = Ready,
                ["started"] = Process is not null && Terminated is null && Waiting is null,
                ["restartCount"] = RestartCount,
                ["state"] = state,
                ["lastState"] = LastTerminated is { } last ? new JsonObject { ["terminated"] = TerminatedState(last) } : new JsonObject(),
            };
            if (Process is not null && Waiting is null) status["containerID"] = Process.ContainerId;
            return status;
        }
    }

    private JsonObject TerminatedState((int ExitCode, string? Reason, DateTimeOffset FinishedAt) t) => new()
    {
        ["exitCode"] = t.ExitCode,
        ["reason"] = t.Reason ?? (t.ExitCode == 0 ? "Completed" : "Error"),
        ["startedAt"] = StartedAt is { } s ? Timestamps.Format(s) : null,
        ["finishedAt"] = Timestamps.Format(t.FinishedAt),
        ["containerID"] = Process?.ContainerId,
    };

}
