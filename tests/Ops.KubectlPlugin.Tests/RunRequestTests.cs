using Ops.KubectlPlugin.Cli;

namespace Ops.KubectlPlugin.Tests;

/// <summary>What kubectl ops run was asked, as the DiagnosticCommand it creates, or refused before anything is created.</summary>
public sealed class RunRequestTests
{
    private static RunRequest Request(string action = "dotnet.stacks", string[]? names = null, string? selector = null, bool nodes = false, string? container = null,
        string[]? parameters = null, string? sample = null, int? parallelism = null, string? timeout = null) =>
        new(action, names ?? [], selector, nodes, container, parameters ?? [], sample, parallelism, timeout);

    [Fact]
    public void Pods_by_name_with_a_container_parameters_a_sample_and_a_timeout_make_the_command()
    {
        var command = Request("dotnet.counters", names: ["checkout-1", "checkout-2"], container: "api", parameters: ["duration=10s"], sample: "50%", parallelism: 2, timeout: "2m").ToCommand("shop");

        Assert.Equal(("dotnet-counters-", "shop"), (command.Metadata.GenerateName, command.Metadata.NamespaceProperty));
        Assert.Equal("dotnet.counters", command.Spec.Action);
        Assert.Equal(new Dictionary<string, string> { ["duration"] = "10s" }, command.Spec.Parameters);
        Assert.Equal(["checkout-1", "checkout-2"], command.Spec.Target.Pods!.Names!);
        Assert.Equal("api", command.Spec.Target.Pods.Container);
        Assert.Null(command.Spec.Target.Pods.Selector.MatchLabels);
        Assert.Equal(("percent", 50), (command.Spec.Target.Sample!.Mode, command.Spec.Target.Sample.Value));
        Assert.Equal((2, 120), (command.Spec.Parallelism, command.Spec.TimeoutSeconds));
        Assert.Null(command.Spec.Target.Nodes);
    }

    [Theory]
    [InlineData("one", "one", null)]
    [InlineData("3", "fixed", 3)]
    [InlineData("10%", "percent", 10)]
    public void A_sample_is_one_a_count_or_a_percentage(string sample, string mode, int? value)
    {
        var spec = Request(selector: "app=checkout", sample: sample).ToCommand("shop").Spec.Target.Sample!;

        Assert.Equal((mode, value), (spec.Mode, spec.Value));
    }

    [Fact]
    public void Nodes_are_targeted_by_name_or_selector()
    {
        var command = Request("node.info", names: ["node-1"], nodes: true, selector: "kubernetes.io/os=linux").ToCommand("ops-system");

        Assert.Equal(["node-1"], command.Spec.Target.Nodes!.Names!);
        Assert.Equal("linux", command.Spec.Target.Nodes.Selector!.MatchLabels["kubernetes.io/os"]);
        Assert.Null(command.Spec.Target.Pods);
    }

    [Theory]
    [InlineData("unknown", "unknown action \"rm.rf\"; the actions are:")]
    [InlineData("parameter", "dotnet.counters: parameter \"duration\" must be a duration from 1s to 600s (like 500ms, 5s, 1m), not \"forever\"")]
    [InlineData("pair", "--param \"duration\" is not KEY=VALUE")]
    [InlineData("twice", "--param duration is given twice")]
    [InlineData("target", "say which pods: -l SELECTOR, pod names, or --nodes")]
    [InlineData("container", "-c/--container is for pods, not --nodes")]
    [InlineData("sample", "--sample must be one, a count such as 2, or a percentage such as 10%, not \"101%\"")]
    [InlineData("timeout", "--timeout must be from 1s to 24h, not 25h")]
    [InlineData("duration", "--timeout: \"soon\" is not a duration like 90s, 10m or 1h30m")]
    [InlineData("parallelism", "--parallelism must be 1 or more, not 0")]
    public void Bad_usage_is_refused_before_anything_is_created_with_exit_code_2(string what, string message)
    {
        var request = what switch
        {
            "unknown" => Request("rm.rf", selector: "app=x"),
            "parameter" => Request("dotnet.counters", selector: "app=x", parameters: ["duration=forever"]),
            "pair" => Request("dotnet.counters", selector: "app=x", parameters: ["duration"]),
            "twice" => Request("dotnet.counters", selector: "app=x", parameters: ["duration=1s", "duration=2s"]),
            "target" => Request(),
            "container" => Request("node.info", nodes: true, names: ["node-1"], container: "api"),
            "sample" => Request(selector: "app=x", sample: "101%"),
            "timeout" => Request(selector: "app=x", timeout: "25h"),
            "duration" => Request(selector: "app=x", timeout: "soon"),
            _ => Request(selector: "app=x", parallelism: 0),
        };

        var refused = Assert.Throws<PluginException>(() => request.ToCommand("shop"));

        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.StartsWith(message, refused.Message);
    }
}
