namespace Ops.SampleApp.Chaos;

/// <summary>The checkout's inventory, the other lock of /chaos/deadlock.</summary>
internal sealed class Inventory
{
    public int Items { get; set; } = 100;
}
