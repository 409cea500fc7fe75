namespace Ops.SampleApp.Chaos;

/// <summary>
/// Holds a number of MiB in OrderSnapshot objects for a while, then lets them go. The objects are made before the request
/// is answered, so whoever asked finds them all on the heap at once (a snapshot taken right after the 202 saw only part).
/// </summary>
internal static class MemoryHog
{
    public static List<OrderSnapshot> Allocate(int mebibytes)
    {
        var snapshots = new List<OrderSnapshot>(mebibytes * 1024 * 1024 / OrderSnapshot.Size);
        for (var n = 0; n < snapshots.Capacity; n++)
        {
            var snapshot = new OrderSnapshot(n);
            // Touched, so the pages are resident and not only reserved.
            snapshot.Data[0] = n;
            snapshots.Add(snapshot);
        }
        return snapshots;
    }

    public static void Hold(List<OrderSnapshot> snapshots, TimeSpan duration)
    {
        Thread.Sleep(duration);
        GC.KeepAlive(snapshots);
    }
}
