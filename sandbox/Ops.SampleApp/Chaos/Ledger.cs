namespace Ops.SampleApp.Chaos;

/// <summary>The checkout's ledger, whose lock /chaos/deadlock takes first on one thread and second on the other.</summary>
internal sealed class Ledger
{
    public int Entries { get; set; }
}
