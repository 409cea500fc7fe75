using System.Runtime.CompilerServices;

namespace Ops.SampleApp.Chaos;

/// <summary>
/// Two threads that take the ledger's and the inventory's locks in opposite orders and wait for each other for
/// ever: the deadlock a dump analysis should name, with both methods and both locks.
/// </summary>
internal static class Deadlock
{
    public static void Start()
    {
        var ledger = new Ledger();
        var inventory = new Inventory();
        // Not disposed: the two threads wait on for ever, and the barrier with them.
        var bothHoldOne = new Barrier(2);
        var first = new Thread(() => LockLedgerThenInventory(ledger, inventory, bothHoldOne)) { IsBackground = true, Name = "ledger-first" };
        var second = new Thread(() => LockInventoryThenLedger(ledger, inventory, bothHoldOne)) { IsBackground = true, Name = "inventory-first" };
        first.Start();
        second.Start();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LockLedgerThenInventory(Ledger ledger, Inventory inventory, Barrier bothHoldOne)
    {
        lock (ledger)
        {
            bothHoldOne.SignalAndWait();
            lock (inventory) ledger.Entries++;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LockInventoryThenLedger(Ledger ledger, Inventory inventory, Barrier bothHoldOne)
    {
        lock (inventory)
        {
            bothHoldOne.SignalAndWait();
            lock (ledger) inventory.Items--;
        }
    }
}
