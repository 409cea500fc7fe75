using Microsoft.Diagnostics.NETCore.Client;

namespace Ops.Agent.Dotnet;

/// <summary>A client connected to a .NET process, in connect or listen mode; disposing it releases what the mode holds.</summary>
public sealed class DotnetConnection(DiagnosticsClient client, IAsyncDisposable? owner) : IAsyncDisposable
{
    public DiagnosticsClient Client => client;

    public ValueTask DisposeAsync() => owner?.DisposeAsync() ?? ValueTask.CompletedTask;
}
