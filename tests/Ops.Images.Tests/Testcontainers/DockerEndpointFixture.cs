using DotNet.Testcontainers.Configurations;

namespace Ops.Images.Tests.Testcontainers;

/// <summary>One Docker API endpoint for the Testcontainers tests of a class, started by the first that needs it.</summary>
public sealed class DockerEndpointFixture : IAsyncDisposable
{
    private readonly SemaphoreSlim _starting = new(1, 1);
    private DockerEndpoint? _endpoint;

    public async Task<DockerEndpoint> GetAsync(string registry, CancellationToken cancellationToken)
    {
        await _starting.WaitAsync(cancellationToken);
        try
        {
            // Testcontainers' resource reaper runs from an image that cannot be pulled here; each test removes its containers.
            TestcontainersSettings.ResourceReaperEnabled = false;
            return _endpoint ??= await DockerEndpoint.StartAsync(registry, cancellationToken);
        }
        finally
        {
            _starting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_endpoint is not null) await _endpoint.DisposeAsync();
        _starting.Dispose();
    }
}
