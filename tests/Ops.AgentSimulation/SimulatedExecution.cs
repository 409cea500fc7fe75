using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Ops.Agent.V1;

namespace Ops.AgentSimulation;

/// <summary>One execution on a simulated agent: waits its latency, then succeeds or fails as the simulation decides.</summary>
internal sealed class SimulatedExecution
{
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SimulatedExecution(ExecuteRequest request, string node, TimeSpan latency, bool fails, int outputBytes, TimeProvider clock)
    {
        Request = request;
        var started = clock.GetUtcNow();
        Result = RunAsync(request, node, latency, fails, outputBytes, clock, started);
    }

    public ExecuteRequest Request { get; }

    public Task<ExecutionResult> Result { get; }

    public bool Cancel()
    {
        return !Result.IsCompleted && _cancelled.TrySetResult();
    }

    private async Task<ExecutionResult> RunAsync(ExecuteRequest request, string node, TimeSpan latency, bool fails, int outputBytes, TimeProvider clock, DateTimeOffset started)
    {
        var delay = TimeSpan.FromMilliseconds(Math.Max(0, request.StartDelayMs)) + latency;
        var phase = fails ? ExecutionPhase.Failed : ExecutionPhase.Succeeded;
        var message = fails ? $"simulated failure of {request.Action} on {node}" : "";
        if (delay > TimeSpan.Zero && await Task.WhenAny(Task.Delay(delay, clock), _cancelled.Task) == _cancelled.Task)
        {
            phase = ExecutionPhase.Cancelled;
            message = "cancelled";
        }
        var finished = clock.GetUtcNow();
        return new ExecutionResult
        {
            CommandUid = request.CommandUid,
            TargetKey = request.TargetKey,
            Phase = phase,
            ExitCode = phase == ExecutionPhase.Succeeded ? 0 : 1,
            DurationMs = (long)(finished - started).TotalMilliseconds,
            Message = message,
            Output = phase == ExecutionPhase.Succeeded ? ByteString.CopyFrom(Output(node, request.Action, outputBytes)) : ByteString.Empty,
            Started = Timestamp.FromDateTimeOffset(started),
            Finished = Timestamp.FromDateTimeOffset(finished),
        };
    }

    private static byte[] Output(string node, string action, int bytes)
    {
        var line = Encoding.UTF8.GetBytes($"{action} on {node} (simulated)\n");
        var output = new byte[bytes];
        for (var i = 0; i < bytes; i++) output[i] = line[i % line.Length];
        return output;
    }
}
