using System.Net.Sockets;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.Images.Tests.Testcontainers;

/// <summary>
/// Each image started with Testcontainers, as the chart runs it (its user, a read-only root with a /tmp tmpfs, the
/// agent with only SYS_PTRACE and DAC_OVERRIDE), answering its health endpoint. Skipped where no Docker API can be
/// had (not a failure: no Docker engine is promised); here Debian's podman serves one.
/// </summary>
public sealed class ImageContainerTests(ImagesFixture images, DockerEndpointFixture docker) : IClassFixture<DockerEndpointFixture>, IAsyncLifetime
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private DockerEndpoint? _docker;
    private readonly List<IContainer> _containers = [];

    public async ValueTask InitializeAsync()
    {
        if (images.Missing is not null) return;
        _docker = await docker.GetAsync(images.Registry, _ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var container in _containers) await container.DisposeAsync();
    }

    private Uri Endpoint()
    {
        ImageTools.Require(images.Missing);
        if (_docker?.Missing is { } missing) Assert.Skip(missing);
        return _docker!.Endpoint!;
    }

    /// <summary>Starts the image on the host's network with a read-only root and a /tmp tmpfs; returns the container and the uid its process runs as.</summary>
    private async Task<(IContainer Container, int Uid, bool ReadOnlyRoot)> StartAsync(string repository, Dictionary<string, string> env, (string Host, string Container)? readOnlyBind = null, IList<string>? addCapabilities = null)
    {
        var endpoint = Endpoint();
        var builder = new ContainerBuilder($"{images.Registry}/{repository}:{ImagesFixture.Tag}")
            .WithDockerEndpoint(endpoint)
            .WithEnvironment(env)
            .WithCreateParameterModifier(p =>
            {
                p.HostConfig ??= new();
                p.HostConfig.NetworkMode = "host";
                p.HostConfig.ReadonlyRootfs = true;
                p.HostConfig.Tmpfs = new Dictionary<string, string> { ["/tmp"] = "" };
                // As Binds, which podman's Docker API honours (WithBindMount's mounts did not reach the container).
                if (readOnlyBind is { } bind) p.HostConfig.Binds = [$"{bind.Host}:{bind.Container}:ro"];
                if (addCapabilities is not null)
                {
                    p.HostConfig.CapDrop = ["ALL"];
                    p.HostConfig.CapAdd = addCapabilities;
                }
            });
        var container = builder.Build();
        _containers.Add(container);
        await container.StartAsync(_ct);
        // Read from the container's process on this machine, not from what was asked for: found by its id in its cgroup.
        var pid = HostProcesses.OfContainer($"{_docker!.Kind}://{container.Id}");
        return (container, HostProcesses.Uid(pid), HostProcesses.RootIsReadOnly(pid));
    }

    private async Task<string> GetAsync(IContainer container, string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            return await AnswerAsync(http, url);
        }
        catch (TimeoutException e)
        {
            var (stdout, stderr) = await container.GetLogsAsync(ct: _ct);
            throw new TimeoutException($"{e.Message}; the container's output:\n{stdout}\n{stderr}", e);
        }
    }

    private Task<string> AnswerAsync(HttpClient http, string url) =>
        Eventually.Get(async () =>
        {
            try
            {
                using var response = await http.GetAsync(new Uri(url), _ct);
                return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(_ct) : null;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return null;
            }
        }, $"{url} to answer");

    [Fact]
    public async Task The_sample_app_runs_as_1654_with_a_read_only_root_and_answers_healthz()
    {
        var port = LoopbackPorts.Free();
        var (app, uid, readOnly) = await StartAsync("ops-sample-app", new() { ["LISTEN"] = "127.0.0.1", ["PORT"] = $"{port}", ["LOG_PATH"] = "/tmp/app.log" });

        Assert.Equal("ok", (await GetAsync(app, $"http://127.0.0.1:{port}/healthz")).Trim());
        Assert.Equal(1654, uid);
        Assert.True(readOnly);
    }

    [Fact]
    public async Task The_operator_runs_as_1654_with_a_read_only_root_and_answers_healthz()
    {
        var sandbox = await SandboxFixture.StartAsync(new SandboxOptions());
        await using var _ = sandbox;
        var port = LoopbackPorts.Free();
        var (op, uid, readOnly) = await StartAsync("ops-operator", new()
        {
            ["KUBECONFIG"] = "/etc/ops/kubeconfig", ["POD_NAME"] = "operator-in-testcontainers", ["Operator__Namespace"] = "default",
            ["Operator__ListenAddress"] = "127.0.0.1", ["Operator__Port"] = $"{port}", ["Operator__ArtifactsPort"] = "0",
        }, (sandbox.KubeconfigPath, "/etc/ops/kubeconfig"));

        Assert.Equal("ok", (await GetAsync(op, $"http://127.0.0.1:{port}/healthz")).Trim());
        Assert.Equal(1654, uid);
        Assert.True(readOnly);
    }

    [Fact]
    public async Task The_agent_runs_as_root_with_two_capabilities_and_a_read_only_root_and_serves_its_ports()
    {
        using var pki = TestPki.Create();
        var (port, metrics) = (LoopbackPorts.Free(), LoopbackPorts.Free());
        var (agent, uid, readOnly) = await StartAsync("ops-agent", new()
        {
            ["Agent__NodeName"] = "testcontainers", ["Agent__ListenAddress"] = "127.0.0.1", ["Agent__Port"] = $"{port}", ["Agent__MetricsPort"] = $"{metrics}",
            ["Agent__CertificatePath"] = "/etc/ops/tls/agent.crt", ["Agent__KeyPath"] = "/etc/ops/tls/agent.key", ["Agent__CaPath"] = "/etc/ops/tls/ca.crt",
            ["Agent__DataDirectory"] = "/tmp/ops-agent",
        }, (pki.Directory, "/etc/ops/tls"), ["SYS_PTRACE", "DAC_OVERRIDE"]);

        Assert.Contains("ops_agent", await GetAsync(agent, $"http://127.0.0.1:{metrics}/metrics"));
        using var grpc = new TcpClient();
        await grpc.ConnectAsync("127.0.0.1", port, _ct);
        Assert.Equal(0, uid);
        Assert.True(readOnly);
    }
}
