using Microsoft.Diagnostics.NETCore.Client;

namespace Ops.Agent.Dotnet;

/// <summary>A client connected to a .NET process, in connect or listen mode; disposing it releases what the mode holds.</summary>
public sealed class DotnetConnection(DiagnosticsClient client, IAsyncDisposable? owner, IDisposable? path = null) : IAsyncDisposable
{
    public DiagnosticsClient Client => client;

    public async ValueTask DisposeAsync()
    {
        if (owner is not null) await owner.DisposeAsync();
        path?.Dispose();
    }
}
