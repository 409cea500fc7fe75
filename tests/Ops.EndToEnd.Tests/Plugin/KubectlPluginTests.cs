using System.Security.Cryptography;
using k8s;
using Ops.Demo;
using Ops.TestSupport;

namespace Ops.EndToEnd.Tests.Plugin;

/// <summary>
/// kubectl ops, the real plugin binary run by the real kubectl against the demo cluster: a run followed to its results
/// with each pod's stacks, live progress in a pseudo-terminal and plain lines when piped, get, results, cancel,
/// artifacts, a download resumed after a cut and checked against its sha256, triggers, and bad input answered with a
/// clear message and the documented exit code.
/// </summary>
public sealed class KubectlPluginTests(ClusterFixture cluster)
{
    private const string Shop = DemoCluster.ShopNamespace;
    private readonly KubectlOps _ops = new(cluster.KubeconfigPath);
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_follows_the_targets_and_ends_with_a_results_table_and_each_pods_stacks()
    {
        var run = await _ops.RunAsync("run", "dotnet.stacks", "-n", Shop, "-l", "app=checkout", "-p", "format=text");

        Assert.True(run.ExitCode == 0, $"{run.Stdout}\n{run.Stderr}");
        var lines = run.Stdout.Split('\n');
        Assert.Matches(@"^TARGET\s+NODE\s+PHASE\s+DURATION\s+OUTPUT$", lines[0]);
        Assert.Equal(3, lines.Count(l => l.StartsWith("checkout-", StringComparison.Ordinal) && l.Contains(" Succeeded ", StringComparison.Ordinal)));
        Assert.Equal(3, lines.Count(l => l.StartsWith("=== checkout-", StringComparison.Ordinal)));
        Assert.Contains("Ops.SampleApp!Ops.SampleApp.OrderWorker.ProcessOrdersForever", run.Stdout);
        Assert.DoesNotContain('\u001b', run.Stdout + run.Stderr);
        Assert.Matches(@"diagnosticcommand\.ops\.dev/dotnet-stacks-[a-z0-9]{5} created in shop", run.Stderr);
        Assert.Contains("Succeeded, 3/3 done: 3 succeeded, 0 failed, 0 running, 0 pending", run.Stderr);
    }

    [Fact]
    public async Task In_a_terminal_the_progress_bar_is_drawn_and_ends_in_the_table()
    {
        var run = await _ops.RunInTerminalAsync("run", "dotnet.counters", "-n", Shop, "-l", "app=checkout", "-p", "duration=2s", "--brief");

        Assert.True(run.ExitCode == 0, run.Stdout);
        Assert.Contains("\u001b[", run.Stdout);
        Assert.Contains("100%", run.Stdout);
        Assert.Contains("Succeeded 3/3 done: 0 failed, 0 running", run.Stdout);
        var table = run.Stdout.IndexOf("TARGET", StringComparison.Ordinal);
        Assert.True(table > run.Stdout.IndexOf("100%", StringComparison.Ordinal), "the table follows the bar");

        // Phases are coloured on a terminal, and not with NO_COLOR set.
        var coloured = await _ops.RunInTerminalAsync("get", "-n", Shop);
        var plain = await _ops.RunInTerminalAsync(["get", "-n", Shop], new Dictionary<string, string> { ["NO_COLOR"] = "1" });
        Assert.Contains("\u001b[32mSucceeded\u001b[0m", coloured.Stdout);
        Assert.Contains(" Succeeded ", plain.Stdout);
        Assert.DoesNotContain("\u001b[32m", plain.Stdout);
    }

    [Fact]
    public async Task Bad_input_is_answered_with_a_clear_message_and_the_documented_exit_code()
    {
        var unknown = await _ops.RunAsync("run", "rm.rf", "-n", Shop, "-l", "app=checkout");
        var badParameter = await _ops.RunAsync("run", "dotnet.counters", "-n", Shop, "-l", "app=checkout", "-p", "duration=forever");
        var noTarget = await _ops.RunAsync("run", "dotnet.stacks", "-n", Shop);
        var badSelector = await _ops.RunAsync("run", "dotnet.stacks", "-n", Shop, "-l", "app in checkout");
        var unknownVerb = await _ops.RunAsync("explode");
        var nothingMatches = await _ops.RunAsync("run", "processes", "-n", Shop, "-l", "app=no-such-app");
        var missingKubeconfig = await _ops.RunAsync(["get", "-n", Shop], new Dictionary<string, string> { ["KUBECONFIG"] = "/nonexistent/kubeconfig" });
        var unreachable = await _ops.RunAsync(["get", "-n", Shop], new Dictionary<string, string> { ["KUBECONFIG"] = await UnreachableKubeconfigAsync() });
        var missingCommand = await _ops.RunAsync("results", "-n", Shop, "no-such-command");

        Assert.Equal(2, unknown.ExitCode);
        Assert.StartsWith("error: unknown action \"rm.rf\"; the actions are:", unknown.Stderr);
        Assert.Matches(@"\n  dotnet\.stacks +The managed stacks of every thread", unknown.Stderr);
        Assert.Equal((2, "error: dotnet.counters: parameter \"duration\" must be a duration from 1s to 600s (like 500ms, 5s, 1m), not \"forever\"\n"), (badParameter.ExitCode, badParameter.Stderr));
        Assert.Equal((2, "error: say which pods: -l SELECTOR, pod names, or --nodes\n"), (noTarget.ExitCode, noTarget.Stderr));
        Assert.Equal(2, badSelector.ExitCode);
        Assert.StartsWith("error: selector \"app in checkout\": ", badSelector.Stderr);
        Assert.Equal(2, unknownVerb.ExitCode);
        Assert.Contains("explode", unknownVerb.Stderr);
        Assert.Equal(1, nothingMatches.ExitCode);
        Assert.Contains("NoTargets: no running pod in namespace shop matches the selector", nothingMatches.Stderr);
        Assert.Equal((2, "error: none of the files KUBECONFIG names exists (/nonexistent/kubeconfig)\n"), (missingKubeconfig.ExitCode, missingKubeconfig.Stderr));
        Assert.Equal(3, unreachable.ExitCode);
        Assert.StartsWith("error: cannot reach the API server at https://127.0.0.1:", unreachable.Stderr);
        Assert.Equal(3, missingCommand.ExitCode);
        Assert.StartsWith("error: DiagnosticCommand shop/no-such-command: not found", missingCommand.Stderr);
        // Nothing was created for the bad usage: no command of the unknown action or the bad parameter.
        var created = (await _ops.RunAsync("get", "-n", Shop, "-o", "json")).Stdout;
        Assert.DoesNotContain("\"action\":\"rm.rf\"", created);
        Assert.DoesNotContain("\"duration\":\"forever\"", created);
    }

    [Fact]
    public async Task An_artifact_is_downloaded_resumed_after_a_cut_and_refused_when_its_bytes_differ()
    {
        var run = await _ops.RunAsync("run", "dotnet.trace", "-n", Shop, "-l", "app=checkout", "--sample", "one", "-p", "duration=2s", "-o", "json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var command = k8s.KubernetesJson.Deserialize<Ops.Operator.Api.V1Alpha1.V1Alpha1DiagnosticCommand>(run.Stdout);
        var name = command.Metadata.Name;
        var artifact = Assert.Single(Assert.Single(command.Status!.Results!).Artifacts!);
        var directory = TestWorkspace.CreateDirectory("plugin-download-");

        var listed = await _ops.RunAsync("artifacts", "-n", Shop, name);
        var whole = await _ops.RunAsync("download", "-n", Shop, name, "-o", directory);
        var bytes = await File.ReadAllBytesAsync(Path.Combine(directory, artifact.Name), _ct);
        // A cut download leaves PATH.part; the next one asks for the rest (Range) and checks the whole.
        var resumedPath = Path.Combine(directory, "resumed.nettrace");
        await File.WriteAllBytesAsync(resumedPath + ".part", bytes[..(bytes.Length / 2)], _ct);
        var resumed = await _ops.RunAsync("download", "-n", Shop, name, "trace.nettrace", "-o", resumedPath);
        // Bytes that are not the artifact's (here the part already held) make a file whose sha256 differs: refused, nothing kept.
        var alteredPath = Path.Combine(directory, "altered.nettrace");
        await File.WriteAllBytesAsync(alteredPath + ".part", [.. bytes[..(bytes.Length / 2)].Select(b => (byte)~b)], _ct);
        var altered = await _ops.RunAsync("download", "-n", Shop, name, "-o", alteredPath);

        Assert.True(listed.ExitCode == 0, listed.Stderr);
        Assert.Matches($@"\n{artifact.Name} +checkout-[a-z0-9-]+/api +node-[0-9] +[0-9.]+ MiB +{artifact.Sha256}\n", "\n" + listed.Stdout);
        Assert.True(whole.ExitCode == 0, whole.Stderr);
        Assert.Equal(artifact.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Contains($"sha256 {artifact.Sha256} verified", whole.Stderr);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains($"resuming {artifact.Name} at byte {bytes.Length / 2}", resumed.Stderr);
        Assert.Contains($": {bytes.Length} bytes ({bytes.Length - (bytes.Length / 2)} received) in ", resumed.Stderr);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(resumedPath, _ct));
        Assert.Equal(1, altered.ExitCode);
        Assert.Contains($"not the {artifact.Sha256} the command's status gives; refused and deleted", altered.Stderr);
        Assert.False(File.Exists(alteredPath) || File.Exists(alteredPath + ".part"));
    }

    [Fact]
    public async Task A_team_member_downloads_with_their_own_token_once_bound_to_the_charts_artifact_download_role()
    {
        var run = await _ops.RunAsync("run", "dotnet.gcdump", "-n", Shop, "-l", "app=checkout", "--sample", "one", "-o", "json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var name = KubernetesJson.Deserialize<Ops.Operator.Api.V1Alpha1.V1Alpha1DiagnosticCommand>(run.Stdout).Metadata.Name;
        var user = $"downloader-{Guid.NewGuid().ToString("N")[..6]}";
        var kubeconfig = Path.Combine(TestWorkspace.CreateDirectory("downloader-"), "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, (await File.ReadAllTextAsync(cluster.KubeconfigPath, _ct)).Replace(cluster.Cluster.Server.Token, cluster.Cluster.Server.AddUser(user), StringComparison.Ordinal), _ct);
        await BindAsync(Shop, user, new k8s.Models.V1Role
        {
            Metadata = new() { Name = user },
            Rules = [new() { ApiGroups = [Ops.Operator.Api.V1Alpha1.ApiGroup.Name], Resources = ["diagnosticcommands", "diagnosticcommands/artifacts"], Verbs = ["get"] }],
        });
        var asUser = new Dictionary<string, string> { ["KUBECONFIG"] = kubeconfig };
        var directory = TestWorkspace.CreateDirectory("downloaded-");

        var unbound = await _ops.RunAsync(["download", "-n", Shop, name, "-o", directory], asUser);
        await cluster.Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new k8s.Models.V1RoleBinding
        {
            Metadata = new() { Name = user },
            RoleRef = new() { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "ops-artifact-download" },
            Subjects = [new() { Kind = "User", Name = user, ApiGroup = "rbac.authorization.k8s.io" }],
        }, DemoCluster.OpsNamespace, cancellationToken: _ct);
        var bound = await Eventually.Get(async () => await _ops.RunAsync(["download", "-n", Shop, name, "-o", directory], asUser) is { ExitCode: 0 } ok ? ok : null, "the download to be allowed once bound");

        Assert.Equal(3, unbound.ExitCode);
        Assert.Contains("forbidden", unbound.Stderr);
        Assert.Contains("verified", bound.Stderr);
        Assert.True(Directory.GetFiles(directory).Length == 1, string.Join(", ", Directory.GetFiles(directory)) + bound.Stdout + bound.Stderr);
    }

    private async Task BindAsync(string ns, string user, k8s.Models.V1Role role)
    {
        await cluster.Client.RbacAuthorizationV1.CreateNamespacedRoleAsync(role, ns, cancellationToken: _ct);
        await cluster.Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new k8s.Models.V1RoleBinding
        {
            Metadata = new() { Name = role.Metadata.Name },
            RoleRef = new() { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = role.Metadata.Name },
            Subjects = [new() { Kind = "User", Name = user, ApiGroup = "rbac.authorization.k8s.io" }],
        }, ns, cancellationToken: _ct);
    }

    [Fact]
    public async Task Get_results_cancel_and_triggers_show_what_the_status_holds()
    {
        var run = await _ops.RunAsync("run", "processes", "-n", Shop, "-l", "app=checkout", "--no-wait");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var name = run.Stdout.Trim();
        await Commands.FinishedAsync(cluster.Client, Shop, name);
        var pod = (await cluster.Client.CoreV1.ListNamespacedPodAsync(Shop, labelSelector: "app=checkout", cancellationToken: _ct)).Items[0].Metadata.Name;

        var list = await _ops.RunAsync("get", "-n", Shop);
        var one = await _ops.RunAsync("get", "-n", Shop, name);
        var full = await _ops.RunAsync("results", "-n", Shop, name, "--target", pod, "--full");
        var cancel = await _ops.RunAsync("cancel", "-n", Shop, name);
        var triggers = await _ops.RunAsync("triggers", "-n", Shop);

        Assert.Matches($@"\n{name} +processes +Succeeded +3/3 +[0-9]+s\n", "\n" + list.Stdout);
        Assert.StartsWith($"{name}: processes Succeeded, 3/3 done", one.Stdout);
        Assert.Equal(3, one.Stdout.Split('\n').Count(l => l.StartsWith("checkout-", StringComparison.Ordinal) && l.Contains(" Succeeded ", StringComparison.Ordinal)));
        Assert.StartsWith($"=== {pod}/api on node-", full.Stdout);
        Assert.Contains("PID", full.Stdout);
        Assert.Single(full.Stdout.Split('\n'), l => l.StartsWith("===", StringComparison.Ordinal));
        Assert.Equal((0, $"diagnosticcommand.ops.dev/{name} cancelled (Succeeded, 3/3 done: 3 succeeded, 0 failed, 0 running, 0 pending)\n"), (cancel.ExitCode, cancel.Stdout));
        Assert.Equal(0, triggers.ExitCode);
    }

    [Fact]
    public async Task Kubectl_completes_the_plugins_verbs_and_actions_through_kubectl_complete_ops()
    {
        var start = Kubectl.StartInfo(cluster.KubeconfigPath, ["__complete", "ops", "run", "dotnet.c"]);
        start.Environment["PATH"] = $"{KubectlOps.PluginDirectory}:{Environment.GetEnvironmentVariable("PATH")}";
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(_ct);
        await process.WaitForExitAsync(_ct);
        var script = await _ops.RunAsync("completion");
        var verbs = await _ops.RunAsync("__complete", "ro");

        Assert.Equal(["dotnet.counters", "dotnet.crashdumps", ":4"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[0]));
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(KubectlOps.PluginDirectory, "kubectl_complete-ops"), _ct), script.Stdout);
        Assert.StartsWith("rollout\t", verbs.Stdout);
    }

    private async Task<string> UnreachableKubeconfigAsync()
    {
        var path = Path.Combine(TestWorkspace.CreateDirectory("unreachable-"), "kubeconfig");
        var closed = Ops.Sandbox.Hosting.LoopbackPorts.Free();
        await File.WriteAllTextAsync(path, $"""
            apiVersion: v1
            kind: Config
            clusters: [{"{"}name: gone, cluster: {"{"}server: "https://127.0.0.1:{closed}", insecure-skip-tls-verify: true{"}"}{"}"}]
            users: [{"{"}name: someone, user: {"{"}token: abc{"}"}{"}"}]
            contexts: [{"{"}name: gone, context: {"{"}cluster: gone, user: someone{"}"}{"}"}]
            current-context: gone
            """, _ct);
        return path;
    }
}
