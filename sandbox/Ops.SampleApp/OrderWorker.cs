using Microsoft.Extensions.Hosting;

namespace Ops.SampleApp;

/// <summary>
/// A thread that keeps a backlog of orders in memory and processes them slowly, so diagnostics have a
/// known method on a stack (ProcessOrdersForever) and a known type on the heap (Order).
/// </summary>
internal sealed class OrderWorker : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var thread = new Thread(() => ProcessOrdersForever(stoppingToken)) { IsBackground = true, Name = "order-worker" };
        thread.Start();
        return Task.CompletedTask;
    }

    private static void ProcessOrdersForever(CancellationToken cancellationToken)
    {
        var backlog = new Queue<Order>();
        for (var n = 0; !cancellationToken.IsCancellationRequested; n++)
        {
            backlog.Enqueue(new Order(n, $"customer-{n % 97}", new decimal[8]));
            if (backlog.Count > 5000) backlog.Dequeue();
            if (n % 100 == 0) cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(50));
        }
    }
}
