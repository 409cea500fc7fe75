using System.Globalization;

namespace Ops.SampleApp.Chaos;

/// <summary>
/// POST /chaos/...: faults on demand for the tests, the demo and anyone trying Ops. Each answers 202 at once
/// and does its harm in the background (the crash a moment later, so the answer gets out); a bad or missing
/// parameter is a 400 naming it and its range.
/// </summary>
internal static class ChaosEndpoints
{
    public static void MapChaos(this WebApplication app)
    {
        var chaos = app.MapGroup("/chaos");
        chaos.MapPost("/cpu", (string? seconds, string? threads) => WithNumber("seconds", seconds, 1, 600, n => WithNumber("threads", threads ?? "1", 1, 64, t =>
        {
            for (var i = 1; i < t; i++) Accepted("", () => CpuBurner.BurnCpu(TimeSpan.FromSeconds(n)));
            return Accepted($"burning {t} core{(t == 1 ? "" : "s")} in BurnCpu for {n} s", () => CpuBurner.BurnCpu(TimeSpan.FromSeconds(n)));
        })));
        chaos.MapPost("/alloc", (string? mb, string? seconds) => WithNumber("mb", mb, 1, 4096, size => WithNumber("seconds", seconds, 1, 3600, n =>
        {
            var snapshots = MemoryHog.Allocate(size);
            return Accepted($"holding {size} MiB in OrderSnapshot objects for {n} s", () => MemoryHog.Hold(snapshots, TimeSpan.FromSeconds(n)));
        })));
        chaos.MapPost("/throw", (string? count) => WithNumber("count", count, 1, 1_000_000, n =>
            Accepted($"throwing and catching {n} PaymentDeclinedException", () => ExceptionBurst.Throw(n))));
        chaos.MapPost("/deadlock", () => Accepted("deadlocking LockLedgerThenInventory and LockInventoryThenLedger", Deadlock.Start));
        chaos.MapPost("/crash", () => Accepted("ending the process with Environment.FailFast", Crash.Soon));
        chaos.MapPost("/unready", (string? seconds, Readiness readiness) => WithNumber("seconds", seconds, 1, 3600, n =>
        {
            readiness.FailFor(TimeSpan.FromSeconds(n));
            return Results.Text($"/healthz fails for {n} s\n", statusCode: StatusCodes.Status202Accepted);
        }));
    }

    private static IResult Accepted(string what, Action harm)
    {
        // A thread of its own: a harm that blocks (a deadlock, a burn) must not hold a thread-pool thread or the request.
        new Thread(() => harm()) { IsBackground = true, Name = "chaos" }.Start();
        return Results.Text(what + "\n", statusCode: StatusCodes.Status202Accepted);
    }

    private static IResult WithNumber(string name, string? value, int min, int max, Func<int, IResult> then) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? then(n)
            : Results.Text($"query parameter {name} must be a whole number from {min} to {max}{(value is null ? "" : $", not '{value}'")}\n", statusCode: StatusCodes.Status400BadRequest);
}
