using Ops.Sandbox.Hosting;
using Ops.TestSupport;

namespace Ops.Sandbox.Tests.Kubectl;

/// <summary>The sandbox driven by the real kubectl, as a user would drive a cluster.</summary>
public sealed class KubectlTests(SandboxFixture sandbox)
{
    private readonly TestSupport.Kubectl _kubectl = new(sandbox.KubeconfigPath);

    [Fact]
    public async Task Applying_the_crds_directory_creates_established_served_CRDs()
    {
        TestSupport.Kubectl.RequireInstalled();
        await using var empty = await SandboxFixture.StartAsync(new SandboxOptions(), applyCrds: false);
        var kubectl = new TestSupport.Kubectl(empty.KubeconfigPath);

        var applied = await kubectl.OkAsync($"apply -f {RepositoryPaths.Crds}");
        Assert.Contains("customresourcedefinition.apiextensions.k8s.io/diagnosticcommands.ops.dev created", applied);
        await kubectl.OkAsync("wait --for condition=established --timeout=30s crd/diagnosticcommands.ops.dev crd/scheduledtasks.ops.dev crd/agentversions.ops.dev");

        var again = await kubectl.OkAsync($"apply -f {RepositoryPaths.Crds}");
        Assert.Contains("customresourcedefinition.apiextensions.k8s.io/agentversions.ops.dev unchanged", again);

        var resources = await kubectl.OkAsync("api-resources --api-group=ops.dev");
        Assert.Matches(@"diagnosticcommands\s+dcmd\s+ops.dev/v1alpha1\s+true\s+DiagnosticCommand", resources);
        Assert.Matches(@"agentversions\s+av\s+ops.dev/v1alpha1\s+false\s+AgentVersion", resources);
    }

    [Fact]
    public async Task Every_sample_applies_and_reads_back_with_its_defaults()
    {
        var ns = await sandbox.CreateNamespaceAsync("samples");
        foreach (var sample in Directory.GetFiles(RepositoryPaths.Samples, "*.yaml"))
        {
            var output = await _kubectl.OkAsync($"apply -n {ns} -f {sample}");
            Assert.Contains("created", output);
        }

        Assert.Equal("100", await _kubectl.OkAsync($"get dcmd checkout-stacks -n {ns} -o jsonpath={{.spec.parallelism}}"));
        Assert.Equal("one", await _kubectl.OkAsync($"get dcmd checkout-errors -n {ns} -o jsonpath={{.spec.target.sample.mode}}"));
        Assert.Equal("Forbid", await _kubectl.OkAsync($"get stask checkout-nightly-counters -n {ns} -o jsonpath={{.spec.concurrencyPolicy}}"));
        Assert.Equal("1.3.0", await _kubectl.OkAsync("get av agent-1.3.0 -o jsonpath={.spec.version}"));
        await _kubectl.OkAsync("delete av agent-1.3.0");
    }

    [Fact]
    public async Task Get_prints_the_printer_columns()
    {
        var ns = await sandbox.CreateNamespaceAsync("columns");
        await _kubectl.OkAsync($"apply -n {ns} -f {Path.Combine(RepositoryPaths.Samples, "diagnosticcommand-dotnet-stacks.yaml")}");

        var table = await _kubectl.OkAsync($"get dcmd -n {ns}");

        var lines = table.Trim().Split('\n');
        Assert.Matches(@"^NAME\s+ACTION\s+PHASE\s+TARGETS\s+SUCCEEDED\s+FAILED\s+AGE$", lines[0].Trim());
        Assert.Matches(@"^checkout-stacks\s+dotnet\.stacks\s+[0-9]+s$", lines[1].Trim());
    }

    [Fact]
    public async Task Patch_merge_then_wait_for_a_jsonpath_value()
    {
        var ns = await sandbox.CreateNamespaceAsync("wait");
        await _kubectl.OkAsync($"apply -n {ns} -f {Path.Combine(RepositoryPaths.Samples, "diagnosticcommand-dotnet-stacks.yaml")}");

        await _kubectl.OkAsync($"patch dcmd checkout-stacks -n {ns} --type merge -p {{\"spec\":{{\"parallelism\":5}}}}");
        Assert.Equal("5/2", await _kubectl.OkAsync($"get dcmd checkout-stacks -n {ns} -o jsonpath={{.spec.parallelism}}/{{.metadata.generation}}"));

        var waiting = _kubectl.RunAsync($"wait dcmd/checkout-stacks -n {ns} --for=jsonpath={{.status.phase}}=Succeeded --timeout=30s");
        // Changed once kubectl watches (from the version it read), so the wait is met by a watch event, not by its first read.
        await Eventually.True(() => Task.FromResult(sandbox.Server.Accesses.Of("kubectl").Any(a => a.Verb == "watch" && a.Resource == "diagnosticcommands" && a.Namespace == ns)), "kubectl to watch");
        await _kubectl.OkAsync($"patch dcmd checkout-stacks -n {ns} --subresource=status --type merge -p {{\"status\":{{\"phase\":\"Succeeded\"}}}}");
        var waited = await waiting;
        Assert.True(waited.ExitCode == 0, waited.Stderr);
        Assert.Contains("condition met", waited.Stdout);
    }

    [Fact]
    public async Task Delete_of_an_object_with_a_finalizer_waits_for_the_finalizer()
    {
        var ns = await sandbox.CreateNamespaceAsync("finalizer");
        await _kubectl.OkAsync($"apply -n {ns} -f {Path.Combine(RepositoryPaths.Samples, "diagnosticcommand-dotnet-stacks.yaml")}");
        await _kubectl.OkAsync($"patch dcmd checkout-stacks -n {ns} --type merge -p {{\"metadata\":{{\"finalizers\":[\"ops.dev/test\"]}}}}");

        await _kubectl.OkAsync($"delete dcmd checkout-stacks -n {ns} --wait=false");
        Assert.NotEmpty(await _kubectl.OkAsync($"get dcmd checkout-stacks -n {ns} -o jsonpath={{.metadata.deletionTimestamp}}"));

        var deleting = _kubectl.RunAsync($"wait --for=delete dcmd/checkout-stacks -n {ns} --timeout=30s");
        await _kubectl.OkAsync($"patch dcmd checkout-stacks -n {ns} --type json -p [{{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}}]");
        Assert.Equal(0, (await deleting).ExitCode);
        var gone = await _kubectl.RunAsync($"get dcmd checkout-stacks -n {ns}");
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains("NotFound", gone.Stderr);
    }

    [Fact]
    public async Task Invalid_input_is_reported_by_kubectl_with_the_field_path()
    {
        var ns = await sandbox.CreateNamespaceAsync("invalid");
        const string bad = """
            apiVersion: ops.dev/v1alpha1
            kind: DiagnosticCommand
            metadata:
              name: bad
            spec:
              action: dotnet.stacks
              parallelism: 0
              target: {}
            """;

        var result = await _kubectl.RunAsync($"apply -n {ns} -f -", bad);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("spec.parallelism: Invalid value: 0", result.Stderr);
        Assert.Contains("greater than or equal to 1", result.Stderr);
    }

    [Fact]
    public async Task Server_side_apply_and_explain_work()
    {
        var ns = await sandbox.CreateNamespaceAsync("ssa");
        var sample = Path.Combine(RepositoryPaths.Samples, "diagnosticcommand-log-grep.yaml");

        Assert.Contains("serverside-applied", await _kubectl.OkAsync($"apply --server-side -n {ns} -f {sample}"));
        Assert.Contains("kubectl", await _kubectl.OkAsync($"get dcmd checkout-errors -n {ns} --show-managed-fields -o jsonpath={{.metadata.managedFields[0].manager}}"));

        var explained = await _kubectl.OkAsync("explain dcmd.spec.timeoutSeconds");
        Assert.Contains("Time allowed for each target, in seconds.", explained);
        // Status fields and upstream types carry descriptions too (from the documentation comments).
        Assert.Contains("How many targets are in each phase.", await _kubectl.OkAsync("explain dcmd.status.targets"));
        Assert.Contains("matchLabels is a map of {key,value} pairs.", await _kubectl.OkAsync("explain dcmd.spec.target.pods.selector"));
    }
}
