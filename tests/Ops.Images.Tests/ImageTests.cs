using Ops.Agent.V1;
using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.Images.Tests;

/// <summary>
/// images/build.sh makes every image the chart and the rollout tests name, with the user and entrypoint the chart
/// expects, and each starts from its own root file system (no .NET installed: self-contained on a base of Debian
/// packages): the sample app serves as its non-root user, the agent answers the operator over mTLS with its
/// image's tag as its version, and the misbehaving builds misbehave because of their configuration.
/// </summary>
public sealed class ImageTests(ImagesFixture images, ITestOutputHelper output)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private string Image(string repository, string tag = ImagesFixture.Tag) => $"{images.Registry}/{repository}:{tag}";

    [Fact]
    public async Task Every_image_is_built_with_the_user_and_entrypoint_the_chart_expects()
    {
        ImageTools.Require(images.Missing);
        string[] expected = [Image("ops-operator"), Image("ops-agent"), Image("ops-agent", "1.0.0-selftest-fails"), Image("ops-agent", "1.0.0-crashes"), Image("ops-sample-app")];
        Assert.Equal(expected, images.Images);
        output.WriteLine($"images/build.sh --local-base: {images.BuildTime.TotalSeconds:0} s");

        var operatorImage = await images.ConfigAsync(Image("ops-operator"));
        Assert.Equal("1654", operatorImage.GetProperty("User").GetString());
        Assert.Equal(["/app/Ops.Operator", "run"], operatorImage.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()));
        var agent = await images.ConfigAsync(Image("ops-agent"));
        Assert.Equal("0", agent.GetProperty("User").GetString());
        Assert.Equal(["/app/Ops.Agent", "--Agent:Version=1.0.0"], agent.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("1654", (await images.ConfigAsync(Image("ops-sample-app"))).GetProperty("User").GetString());
        foreach (var image in expected)
        {
            var bytes = await images.CompressedBytesAsync(image);
            output.WriteLine($"{image}: {bytes / (1024.0 * 1024):0.0} MiB compressed");
            Assert.InRange(bytes, 10L << 20, 100L << 20);
        }
    }

    [Fact]
    public async Task The_sample_app_runs_from_its_own_root_as_its_non_root_user()
    {
        ImageTools.Require(images.Missing);
        var rootfs = await images.UnpackAsync(Image("ops-sample-app"));
        Assert.StartsWith("PRETTY_NAME=\"Debian GNU/Linux 12", await File.ReadAllTextAsync(Path.Combine(rootfs, "etc", "os-release"), _ct));
        Assert.False(File.Exists(Path.Combine(rootfs, "usr", "bin", "dotnet")), "the base has no .NET: the app is self-contained");
        var port = LoopbackPorts.Free();
        await using var app = ImageRun.Start(rootfs, "1654", ["/app/Ops.SampleApp"], new Dictionary<string, string> { ["LISTEN"] = "127.0.0.1", ["PORT"] = $"{port}", ["LOG_PATH"] = "/tmp/app.log" });

        using var http = new HttpClient();
        await Eventually.True(async () =>
        {
            try { return (await http.GetAsync($"http://127.0.0.1:{port}/healthz", _ct)).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
        }, $"the sample app to answer /healthz; it printed: {app.Output}");
        // What the app wrote is its user's, as the runtime's diagnostics socket is: what an agent must be allowed to reach.
        var socket = Directory.GetFiles(Path.Combine(rootfs, "tmp"), "dotnet-diagnostic-*-socket").Single();
        // The log is created with the app's first line, which may come after /healthz answers (seen under CI's load).
        await Eventually.True(() => Task.FromResult(File.Exists(Path.Combine(rootfs, "tmp", "app.log"))), "the app's log file");
        Assert.Equal("1654:1654", await OwnerOfAsync(Path.Combine(rootfs, "tmp", "app.log")));
        Assert.Equal("1654:1654", await OwnerOfAsync(socket));
        Assert.Equal("600", (await ImagesFixture.RunAsync("stat", ["-c", "%a", socket], TimeSpan.FromSeconds(10))).Output.Trim());
    }

    [Fact]
    public async Task The_agent_image_answers_the_operator_with_its_tag_and_its_variants_misbehave_by_configuration()
    {
        ImageTools.Require(images.Missing);
        await using var harness = new AgentHarness();

        await using (var good = await StartAgentAsync(harness, Image("ops-agent")))
        {
            var info = await Eventually.Get(() => InfoAsync(harness, good.Address), $"the agent image to answer GetInfo; it printed: {good.Run.Output}");
            Assert.Equal(("1.0.0", "node-1"), (info.Version, info.Node));
        }

        await using (var selfTestFails = await StartAgentAsync(harness, Image("ops-agent", "1.0.0-selftest-fails")))
        {
            var info = await Eventually.Get(() => InfoAsync(harness, selfTestFails.Address), $"the self-test-failing build to answer; it printed: {selfTestFails.Run.Output}");
            Assert.Equal("1.0.0-selftest-fails", info.Version);
            using var call = harness.Channels.For(selfTestFails.Address).Execute(AgentHarness.Request("agent.selftest", new Target { Node = true }), cancellationToken: _ct);
            var result = await call.ResponseStream.ResultAsync(_ct);
            Assert.Equal(ExecutionPhase.Failed, result!.Phase);
            Assert.Contains("/dev/null/diagnostic-ports", result.Message);
        }

        await using var crashes = await StartAgentAsync(harness, Image("ops-agent", "1.0.0-crashes"));
        await crashes.Run.WaitForExitAsync(Timeouts.ProcessTurnover);
        Assert.Equal(2, crashes.Run.ExitCode);
        Assert.StartsWith("error: invalid agent settings: ", crashes.Run.Output.Trim());
        Assert.Contains("Port", crashes.Run.Output);
    }

    private sealed record RunningAgent(ImageRun Run, string Address) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Run.DisposeAsync();
    }

    /// <summary>The agent's image started as the chart starts it: root, its settings from the environment, its TLS files mounted.</summary>
    private async Task<RunningAgent> StartAgentAsync(AgentHarness harness, string image)
    {
        var rootfs = await images.UnpackAsync(image);
        var tls = Directory.CreateDirectory(Path.Combine(rootfs, "etc", "ops-tls")).FullName;
        File.Copy(harness.Pki.CaPath, Path.Combine(tls, "ca.crt"));
        File.Copy(harness.Pki.AgentCertificatePath, Path.Combine(tls, "tls.crt"));
        File.Copy(harness.Pki.AgentKeyPath, Path.Combine(tls, "tls.key"));
        var port = LoopbackPorts.Free();
        var run = ImageRun.Start(rootfs, "0", [.. (await images.ConfigAsync(image)).GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()!)],
            new Dictionary<string, string>
            {
                ["Agent__NodeName"] = "node-1", ["Agent__ListenAddress"] = "127.0.0.1", ["Agent__Port"] = $"{port}", ["Agent__MetricsPort"] = $"{LoopbackPorts.Free()}",
                ["Agent__CertificatePath"] = "/etc/ops-tls/tls.crt", ["Agent__KeyPath"] = "/etc/ops-tls/tls.key", ["Agent__CaPath"] = "/etc/ops-tls/ca.crt",
                ["Agent__DataDirectory"] = "/tmp/ops-agent",
            });
        return new RunningAgent(run, $"127.0.0.1:{port}");
    }

    private async Task<AgentInfo?> InfoAsync(AgentHarness harness, string address)
    {
        try
        {
            return await harness.Channels.For(address).GetInfoAsync(new GetInfoRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: _ct);
        }
        catch (Grpc.Core.RpcException)
        {
            return null;
        }
    }

    private static async Task<string> OwnerOfAsync(string path) =>
        (await ImagesFixture.RunAsync("stat", ["-c", "%u:%g", path], TimeSpan.FromSeconds(10))).Output.Trim();
}
