using System.Runtime.CompilerServices;

namespace Ops.SampleApp.Chaos;

/// <summary>
/// A snapshot of an order, 8 KiB each, held in its own fields rather than in an array it points to, so a heap
/// summary by type names OrderSnapshot, not byte[], as the type that fills the heap.
/// </summary>
internal sealed class OrderSnapshot(int order)
{
    public const int Size = 8 * 1024;

    public int Order { get; } = order;

    public Lines Data;

    [InlineArray(Size / sizeof(long))]
    public struct Lines
    {
        private long _line;
    }
}
