using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Ops.TestSupport;

/// <summary>A logger that keeps every formatted message, for tests that assert what a component said and why.</summary>
public sealed class RecordingLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, EventId Id, string Message)> Entries => [.. _entries];

    public IEnumerable<string> Messages(LogLevel atLeast = LogLevel.Trace) => Entries.Where(e => e.Level >= atLeast).Select(e => e.Message);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((logLevel, eventId, formatter(state, exception)));
}
