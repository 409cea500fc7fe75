using System.Runtime.InteropServices;
using Ops.Agent.Dotnet;

namespace Ops.Agent.Tests.Dotnet;

[Collection(nameof(NativeMemoryCollection))]
public sealed class EventPipeSourceTests
{
    [Fact]
    public void Disposed_sources_give_back_their_native_memory()
    {
        // TraceEvent's own Dispose keeps about 5 KiB of each source's native memory: 10,000 sources
        // would keep about 50 MiB. Ours keep none; the bound leaves room for the runtime's own growth.
        const int Sources = 10_000;
        for (var i = 0; i < 100; i++) new EventPipeSource(new MemoryStream()).Dispose();
        var before = NativeHeapInUse();

        for (var i = 0; i < Sources; i++) new EventPipeSource(new MemoryStream()).Dispose();

        var grown = NativeHeapInUse() - before;
        Assert.True(grown < 10 * 1024 * 1024, $"the native heap grew by {grown / 1024} KiB over {Sources} disposed sources");
    }

    /// <summary>What glibc's malloc has handed out and not had back (mallinfo2: uordblks + hblkhd).</summary>
    private static long NativeHeapInUse()
    {
        var info = MallInfo2();
        return (long)(info.InUse + info.Mapped);
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallocInfo MallInfo2();

    [StructLayout(LayoutKind.Sequential)]
    private readonly struct MallocInfo
    {
        private readonly nuint _arena, _ordblks, _smblks, _hblks;
        public readonly nuint Mapped;
        private readonly nuint _usmblks, _fsmblks;
        public readonly nuint InUse;
        private readonly nuint _fordblks, _keepcost;
    }
}
