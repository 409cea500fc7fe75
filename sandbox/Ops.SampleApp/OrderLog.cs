using Microsoft.Extensions.Hosting;

namespace Ops.SampleApp;

/// <summary>The app's log file: a line every 200 ms, every fifth an ERROR, for log.grep and file.tail to read.</summary>
internal sealed class OrderLog(string logPath, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        try
        {
            for (var n = 1; !stoppingToken.IsCancellationRequested; n++)
            {
                var line = n % 5 == 0 ? $"{clock.GetUtcNow():O} ERROR payment declined for order {n}" : $"{clock.GetUtcNow():O} INFO order {n} checked out";
                await File.AppendAllTextAsync(logPath, line + Environment.NewLine, stoppingToken);
                await Task.Delay(TimeSpan.FromMilliseconds(200), clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
