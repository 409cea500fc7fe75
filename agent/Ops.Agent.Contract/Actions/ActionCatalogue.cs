using System.Text.RegularExpressions;

namespace Ops.Agent.V1.Actions;

/// <summary>
/// The design's action catalogue, shared by the operator (which refuses a bad command once, before any
/// fan-out) and the agent (which reads its parameters through the same definitions and checks them again).
/// </summary>
public static class ActionCatalogue
{
    public static readonly ActionDefinition Processes = new("processes", "The processes of the target container, or of the node: pid, state, memory, command line.", []);

    public static readonly ActionDefinition NodeInfo = new("node.info", "The node's uptime, load, memory, disk, kernel and agent version, as JSON.", []);

    public static readonly ActionDefinition CheckProcess = new("check.process", "Succeeds when the target process exists and is not a zombie.", []);

    public static readonly ActionDefinition AgentSelfTest = new("agent.selftest", "The agent's own checks, as the rollout's health gate runs them: data directory writable, TLS material readable and not about to expire, /proc readable, the diagnostic ports directory usable in listen mode.", []);

    public static readonly ActionDefinition DotnetProcesses = new("dotnet.processes", "The .NET processes of the target container (or node): pid, runtime version, entry assembly, command line.", []);

    public static class FileTail
    {
        public static readonly ActionParameter Path = new("path", ParameterKind.Text, "A file inside the target's container.") { Required = true };
        public static readonly ActionParameter Lines = new("lines", ParameterKind.Integer, "How many last lines.") { Default = "100", Min = 1, Max = 10_000 };
        public static readonly ActionDefinition Definition = new("file.tail", "The last lines of a file inside the target's container.", [Path, Lines]);
    }

    public static class LogGrep
    {
        public static readonly ActionParameter Path = FileTail.Path;
        public static readonly ActionParameter Pattern = new("pattern", ParameterKind.Text, "A .NET regular expression.") { Required = true, Rule = RegexProblem };
        public static readonly ActionParameter MaxLines = new("maxLines", ParameterKind.Integer, "At most this many matching lines.") { Default = "200", Min = 1, Max = 10_000 };
        public static readonly ActionParameter IgnoreCase = new("ignoreCase", ParameterKind.Boolean, "Match regardless of case.") { Default = "false" };
        public static readonly ActionDefinition Definition = new("log.grep", "Lines of a file inside the target's container that match a pattern.", [Path, Pattern, MaxLines, IgnoreCase]);
    }

    public static class CheckTcp
    {
        public static readonly ActionParameter Host = new("host", ParameterKind.Text, "The host to connect to; the pod's IP when not given. For a pod target, leave it out to check the pod: any other host must be listed in the namespace's DiagnosticPolicies (networkCheckDestinations; a name is resolved once and its address checked). Node targets may name any host.");
        public static readonly ActionParameter Port = new("port", ParameterKind.Integer, "The TCP port.") { Required = true, Min = 1, Max = 65535 };
        public static readonly ActionParameter TimeoutMs = new("timeoutMs", ParameterKind.Integer, "Milliseconds to wait for the connection.") { Default = "2000", Min = 1, Max = 60_000 };
        public static readonly ActionDefinition Definition = new("check.tcp", "Succeeds when a TCP connection opens.", [Host, Port, TimeoutMs]);
    }

    public static class CheckHttp
    {
        public static readonly ActionParameter Url = new("url", ParameterKind.Text, "An absolute http or https URL; else built from scheme, the pod's IP, port and path. For a pod target, leave it out to check the pod: a URL's host must be listed in the namespace's DiagnosticPolicies (networkCheckDestinations). Redirects are not followed and no proxy is used.") { Rule = UrlProblem };
        public static readonly ActionParameter Scheme = new("scheme", ParameterKind.Choice, "http or https.") { Default = "http", Choices = ["http", "https"] };
        public static readonly ActionParameter Port = new("port", ParameterKind.Integer, "The port.") { Default = "80", Min = 1, Max = 65535 };
        public static readonly ActionParameter Path = new("path", ParameterKind.Text, "The path, from /.") { Default = "/", Rule = v => v.StartsWith('/') ? null : $"must start with /, not \"{v}\"" };
        public static readonly ActionParameter ExpectStatus = new("expectStatus", ParameterKind.Text, "The status, or a range such as 200-399, that counts as success.") { Default = "200-399", Rule = StatusProblem };
        public static readonly ActionParameter TimeoutMs = new("timeoutMs", ParameterKind.Integer, "Milliseconds to wait for the response headers.") { Default = "5000", Min = 1, Max = 60_000 };
        public static readonly ActionDefinition Definition = new("check.http", "Succeeds when an HTTP GET answers with an expected status.", [Url, Scheme, Port, Path, ExpectStatus, TimeoutMs]);

        /// <summary>The range <see cref="ExpectStatus"/> names (checked first).</summary>
        public static (int Low, int High) StatusRange(string text)
        {
            var parts = text.Split('-');
            return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[^1], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public static class ScriptRun
    {
        public static readonly ActionParameter Script = new("script", ParameterKind.Text, "The name of a script the agents are configured with.") { Required = true };
        public static readonly ActionDefinition Definition = new("script.run", "Runs a named script configured on the agents, with the parameters its definition declares, on the target kinds it declares (nodes unless it says pods too; on a pod, as an unprivileged user unless it says otherwise).", [Script], Group: ActionGroups.Scripts, OpenParameters: true);
    }

    public static class DotnetStacks
    {
        public static readonly ActionParameter Format = new("format", ParameterKind.Choice, "text, json or both.") { Default = "both", Choices = ["text", "json", "both"] };
        public static readonly ActionDefinition Definition = new("dotnet.stacks", "The managed stacks of every thread of the target's .NET process.", [Format], Group: ActionGroups.DotnetLight);
    }

    public static class DotnetCounters
    {
        public static readonly ActionParameter Duration = new("duration", ParameterKind.Duration, "How long to sample.") { Default = "5s", Min = 1, Max = 600 };
        public static readonly ActionDefinition Definition = new("dotnet.counters", "The runtime's counters over a short interval.", [Duration], Group: ActionGroups.DotnetLight);
    }

    public static class DotnetTrace
    {
        public static readonly ActionParameter Duration = new("duration", ParameterKind.Duration, "How long to trace.") { Default = "5s", Min = 0.1, Max = 600 };
        public static readonly ActionParameter Profile = new("profile", ParameterKind.Choice, "A named set of providers.") { Default = "cpu-sampling", Choices = ["cpu-sampling", "gc"] };
        public static readonly ActionParameter Providers = new("providers", ParameterKind.Text, "Providers instead of a profile: Name[:keywords-hex[:level]], comma-separated.");
        public static readonly ActionDefinition Definition = new("dotnet.trace", "An EventPipe trace (.nettrace) stored as an artifact.", [Duration, Profile, Providers], Group: ActionGroups.DotnetHeavy);
    }

    public static class DotnetGcDump
    {
        public static readonly ActionParameter Top = new("top", ParameterKind.Integer, "How many types to list, by size.") { Default = "20", Min = 1, Max = 1000 };
        public static readonly ActionDefinition Definition = new("dotnet.gcdump", "A heap snapshot (.gcdump) stored as an artifact, with the largest types.", [Top], Group: ActionGroups.DotnetHeavy);
    }

    public static class DotnetDump
    {
        public static readonly ActionParameter Type = new("type", ParameterKind.Choice, "mini, heap or full.") { Default = "mini", Choices = ["mini", "heap", "full"] };
        public static readonly ActionParameter Analyze = new("analyze", ParameterKind.Boolean, "Analyse the dump on the node once written (deadlocks, the heap's top types, threads, exceptions): the findings in the output, the analysis as an artifact beside the dump. A failed analysis does not fail the dump.") { Default = "true" };
        public static readonly ActionDefinition Definition = new("dotnet.dump", "A process dump stored as an artifact, analysed on the node.", [Type, Analyze], Group: ActionGroups.DotnetHeavy);
    }

    public static class DotnetAnalyze
    {
        public static readonly ActionParameter Artifact = new("artifact", ParameterKind.Text, "The name of a dump artifact on the target's node, from a dotnet.dump command's status. A pod target may analyse only dumps of that pod and container.") { Required = true, Rule = ArtifactNameProblem };
        public static readonly ActionParameter Force = new("force", ParameterKind.Boolean, "Analyse a dump larger than the agent's Agent:DumpAnalysis:MaxDumpBytes.") { Default = "false" };
        public static readonly ActionDefinition Definition = new("dotnet.analyze", "The analysis of a dump already on the node: deadlocks, the heap by generation and type, threads with their stacks, locks and exceptions, the thread pool.", [Artifact, Force], Group: ActionGroups.DotnetHeavy);
    }

    public static class DotnetCrashDumps
    {
        public static readonly ActionParameter Directory = new("directory", ParameterKind.Text, "Where the container's runtime writes crash dumps, as the container sees it. When not given, the directory of DOTNET_DbgMiniDumpName in the environment of the container's .NET process.") { Rule = v => v.StartsWith('/') ? null : $"must be an absolute path, not \"{v}\"" };
        public static readonly ActionParameter Analyze = new("analyze", ParameterKind.Boolean, "Analyse the newest crash dump once kept (a dump over the agent's Agent:DumpAnalysis:MaxDumpBytes is kept, not analysed: run dotnet.analyze with force).") { Default = "true" };
        public static readonly ActionParameter Remove = new("remove", ParameterKind.Boolean, "Delete each crash dump from the container's volume once it is kept as an artifact, freeing the pod's storage.") { Default = "false" };
        public static readonly ActionDefinition Definition = new("dotnet.crashdumps", "The crash dumps the runtime wrote when the target container's .NET process died (DOTNET_DbgEnableMiniDump into a volume that outlives the container), each kept as an artifact of the pod, and the analysis of the newest.", [Directory, Analyze, Remove], Group: ActionGroups.DotnetHeavy);
    }

    public static readonly IReadOnlyList<ActionDefinition> All =
    [
        Processes, NodeInfo, FileTail.Definition, LogGrep.Definition, CheckTcp.Definition, CheckHttp.Definition, CheckProcess, ScriptRun.Definition, AgentSelfTest,
        DotnetProcesses, DotnetStacks.Definition, DotnetCounters.Definition, DotnetTrace.Definition, DotnetGcDump.Definition, DotnetDump.Definition, DotnetAnalyze.Definition,
        DotnetCrashDumps.Definition,
    ];

    public static ActionDefinition? Find(string name) => All.FirstOrDefault(a => a.Name == name);

    private static string? RegexProblem(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
            return null;
        }
        catch (ArgumentException e)
        {
            return $"is not a valid regular expression: {e.Message}";
        }
    }

    private static string? ArtifactNameProblem(string name) =>
        Regex.IsMatch(name, "^[A-Za-z0-9][A-Za-z0-9._-]{0,250}\\.dmp$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50)) ? null : $"must be the name of a .dmp artifact, not \"{name}\"";

    private static string? UrlProblem(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? null : $"must be an absolute http or https URL, not \"{text}\"";

    private static string? StatusProblem(string text)
    {
        var parts = text.Split('-');
        return parts.Length is 1 or 2 && int.TryParse(parts[0], out var low) && int.TryParse(parts[^1], out var high) && low is >= 100 and <= 599 && high >= low && high <= 599
            ? null
            : $"must be a status or a range such as 200-399, not \"{text}\"";
    }
}
