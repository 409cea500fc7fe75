using Microsoft.Extensions.Options;
using Ops.Agent.Hosting;

namespace Ops.Agent.Artifacts;

/// <summary>
/// Heavy captures (trace, gcdump, dump) take turns on a node: at most Agent:Artifacts:HeavyActionConcurrency
/// at once; the others wait for a slot (the time waited is reported in their output).
/// </summary>
public sealed class HeavyActionGate(IOptions<AgentOptions> options, TimeProvider clock) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.Artifacts.HeavyActionConcurrency, options.Value.Artifacts.HeavyActionConcurrency);

    /// <summary>Waits for a slot; dispose the result to give it back. Returns how long it waited.</summary>
    public async Task<(IDisposable Slot, TimeSpan Waited)> EnterAsync(CancellationToken cancellationToken)
    {
        var start = clock.GetTimestamp();
        await _slots.WaitAsync(cancellationToken);
        return (new Slot(_slots), clock.GetElapsedTime(start));
    }

    public void Dispose() => _slots.Dispose();

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release();
        }
    }
}
