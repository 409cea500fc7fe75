using System.Text.Json.Nodes;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Nodes;

/// <summary>One container of a running pod: its process (real or simulated), restarts and readiness.</summary>
internal sealed class ContainerRuntime(string name, string image)
{
    private readonly Lock _lock = new();

    public string Name => name;
    public string Image => image;
    public IContainerProcess? Process { get; private set; }
    public int RestartCount { get; private set; }
    public bool Ready { get; private set; }

    /// <summary>When the container last became ready: the Ready condition's transition time (minReadySeconds counts from it).</summary>
    public DateTimeOffset? ReadySince { get; private set; }

    public void BecameReady(DateTimeOffset now)
    {
        lock (_lock)
        {
            Ready = true;
            ReadySince = now;
        }
    }
    /// <summary>Its readiness probe failed enough times in a row.</summary>
    public void BecameUnready()
    {
        lock (_lock) Ready = false;
    }

    public DateTimeOffset? StartedAt { get; private set; }
    public (string Reason, string Message)? Waiting { get; set; }
    public (int ExitCode, DateTimeOffset FinishedAt)? Terminated { get; private set; }
    public (int ExitCode, DateTimeOffset FinishedAt)? LastTerminated { get; private set; }

    public void Started(IContainerProcess process, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (Terminated is not null) { LastTerminated = Terminated; RestartCount++; }
            Process = process;
            StartedAt = now;
            Waiting = null;
            Terminated = null;
            Ready = false;
        }
    }

    public void Exited(int exitCode, DateTimeOffset now)
    {
        lock (_lock)
        {
            Terminated = (exitCode, now);
            Ready = false;
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

    private JsonObject TerminatedState((int ExitCode, DateTimeOffset FinishedAt) t) => new()
    {
        ["exitCode"] = t.ExitCode,
        ["reason"] = t.ExitCode == 0 ? "Completed" : "Error",
        ["startedAt"] = StartedAt is { } s ? Timestamps.Format(s) : null,
        ["finishedAt"] = Timestamps.Format(t.FinishedAt),
        ["containerID"] = Process?.ContainerId,
    };

}
