using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Symbols;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Stacks;

namespace Ops.Agent.Dotnet;

/// <summary>
/// Managed stacks of every thread without stopping the process or attaching a debugger: a short
/// EventPipe session with the sample profiler and rundown (method names), resolved with TraceEvent.
/// </summary>
public sealed class StackSampler
{
    private static readonly Regex ThreadFrame = new(@"^Thread \((?<id>\d+)\)", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>How long the sampler runs: long enough for one sample of every thread.</summary>
    public TimeSpan SampleTime { get; init; } = TimeSpan.FromMilliseconds(100);

    public async Task<IReadOnlyList<ManagedThread>> SampleAsync(DiagnosticsClient client, string scratchDirectory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(scratchDirectory);
        var trace = Path.Combine(scratchDirectory, $"stacks-{Guid.NewGuid():n}.nettrace");
        try
        {
            EventPipeProvider[] providers =
            [
                new("Microsoft-DotNETCore-SampleProfiler", EventLevel.Informational),
                new("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, (long)ClrTraceEventParser.Keywords.Default),
            ];
            using (var session = await client.StartEventPipeSessionAsync(providers, requestRundown: true, circularBufferMB: 256, cancellationToken))
            {
                await using var output = File.Create(trace);
                var copy = session.EventStream.CopyToAsync(output, cancellationToken);
                await Task.Delay(SampleTime, cancellationToken);
                await session.StopAsync(cancellationToken);
                await copy;
            }
            return Resolve(trace);
        }
        finally
        {
            File.Delete(trace);
            File.Delete(Path.ChangeExtension(trace, ".etlx"));
        }
    }

    private static List<ManagedThread> Resolve(string trace)
    {
        using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(trace));
        using var symbols = new SymbolReader(TextWriter.Null) { SymbolPath = "" };
        var source = new MutableTraceEventStackSource(log) { OnlyManagedCodeStacks = true };
        new SampleProfilerThreadTimeComputer(log, symbols).GenerateThreadTimeStacks(source);
        var threads = new Dictionary<int, List<string>>();
        source.ForEach(sample =>
        {
            var frames = new List<string>();
            var index = sample.StackIndex;
            while (index != StackSourceCallStackIndex.Invalid)
            {
                var name = source.GetFrameName(source.GetFrameIndex(index), false);
                if (ThreadFrame.Match(name) is { Success: true } thread)
                {
                    // The last sample of a thread is its current stack.
                    threads[int.Parse(thread.Groups["id"].Value, CultureInfo.InvariantCulture)] = frames;
                    return;
                }
                frames.Add(name);
                index = source.GetCallerIndex(index);
            }
        });
        return [.. threads.OrderBy(t => t.Key).Select(t => new ManagedThread(t.Key, t.Value))];
    }
}
