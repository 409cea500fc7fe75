using Grpc.Core;

namespace Ops.Agent.V1;

public static class ExecuteEvents
{
    /// <summary>
    /// Reads an Execute stream to its end (the agent ends it after the result, so the call completes
    /// rather than being cut) and returns the result, or null when the stream ended without one.
    /// </summary>
    public static async Task<ExecutionResult?> ResultAsync(this IAsyncStreamReader<ExecuteEvent> events, CancellationToken cancellationToken = default)
    {
        ExecutionResult? result = null;
        while (await events.MoveNext(cancellationToken))
        {
            if (events.Current.EventCase == ExecuteEvent.EventOneofCase.Result) result = events.Current.Result;
        }
        return result;
    }
}
