namespace Ops.SampleApp.Chaos;

/// <summary>Holds a number of MiB in OrderSnapshot objects for a while, then lets them go.</summary>
internal static class MemoryHog
{
    public static void Hold(int mebibytes, TimeSpan duration)
    {
        var snapshots = new List<OrderSnapshot>(mebibytes * 1024 * 1024 / OrderSnapshot.Size);
        for (var n = 0; n < snapshots.Capacity; n++)
        {
            var snapshot = new OrderSnapshot(n);
            // Touched, so the pages are resident and not only reserved.
            snapshot.Data[0] = n;
            snapshots.Add(snapshot);
        }
        Thread.Sleep(duration);
        GC.KeepAlive(snapshots);
    }
}
