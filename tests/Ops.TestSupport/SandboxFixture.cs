using k8s;
using Ops.Sandbox.Hosting;
using Xunit;

namespace Ops.TestSupport;

/// <summary>
/// A sandbox API server with the repository's CRDs applied, shared by the tests of an assembly.
/// Each test works in a namespace of its own (<see cref="CreateNamespaceAsync"/>).
/// </summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ops-tests", Guid.NewGuid().ToString("n"));
    private SandboxServer? _server;

    public SandboxServer Server => _server ?? throw new InvalidOperationException("the sandbox has not started");

    public string KubeconfigPath => Server.KubeconfigPath;

    public Kubernetes Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        TestWorkspace.Ensure();
        _server = await StartAsync(new SandboxOptions { KubeconfigPath = Path.Combine(_directory, "kubeconfig"), BookmarkInterval = TimeSpan.FromSeconds(1) });
        Client = CreateClient(_server);
    }

    /// <summary>
    /// Starts a separate sandbox, for tests that need their own settings or a restart; its kubeconfig
    /// goes to the sandbox's own workspace unless the options place it (or a data directory holds it).
    /// </summary>
    public static async Task<SandboxServer> StartAsync(SandboxOptions options, bool applyCrds = true) =>
        await SandboxServer.StartAsync(options with
        {
            ManifestDirectories = applyCrds ? [RepositoryPaths.Crds, .. options.ManifestDirectories] : options.ManifestDirectories,
            KubeconfigPath = options.KubeconfigPath ?? (options.DataDirectory is null ? Path.Combine(TestWorkspace.CreateDirectory("sandbox-"), "kubeconfig") : null),
        });

    public static Kubernetes CreateClient(SandboxServer server) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.KubeconfigPath));

    public Task<string> CreateNamespaceAsync(string prefix = "t") => TestNamespaces.CreateAsync(Client, prefix);

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
