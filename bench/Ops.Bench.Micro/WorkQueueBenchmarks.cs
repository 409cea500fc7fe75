using BenchmarkDotNet.Attributes;
using Ops.ControllerRuntime.Queues;

namespace Ops.Bench.Micro;

/// <summary>
/// The controllers' work queue under churn: 10,000 keys added and worked off, and the same keys
/// re-added many times while they wait or are being worked on (a watch storm), which the queue
/// folds into one pending entry per key.
/// </summary>
[MemoryDiagnoser]
public class WorkQueueBenchmarks
{
    private const int Keys = 10_000;
    private readonly string[] _keys = [.. Enumerable.Range(0, Keys).Select(i => $"ns/command-{i}")];

    [Benchmark(Description = "add and work off 10,000 keys")]
    public async Task<int> AddAndDrain()
    {
        using var queue = new WorkQueue<string>(TimeProvider.System);
        foreach (var key in _keys) queue.Add(key);
        var done = 0;
        while (done < Keys)
        {
            queue.Done(await queue.TakeAsync(CancellationToken.None));
            done++;
        }
        return done;
    }

    [Benchmark(Description = "10 events per key for 10,000 keys, some while in work")]
    public async Task<int> Churn()
    {
        using var queue = new WorkQueue<string>(TimeProvider.System);
        for (var round = 0; round < 10; round++)
        {
            foreach (var key in _keys) queue.Add(key);
        }
        var worked = 0;
        while (queue.Depth > 0)
        {
            var key = await queue.TakeAsync(CancellationToken.None);
            // An event for the key in work: it must come back once more, after Done.
            if (worked % 2 == 0) queue.Add(key);
            queue.Done(key);
            worked++;
        }
        return worked;
    }
}
