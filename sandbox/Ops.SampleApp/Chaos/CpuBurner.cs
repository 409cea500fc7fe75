using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Ops.SampleApp.Chaos;

/// <summary>A hot method a CPU trace or a stack sample should name: BurnCpu.</summary>
internal static class CpuBurner
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static double BurnCpu(TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        var sum = 0.0;
        while (clock.Elapsed < duration)
        {
            for (var i = 1; i < 100_000; i++) sum += Math.Sqrt(i);
        }
        return sum;
    }
}
