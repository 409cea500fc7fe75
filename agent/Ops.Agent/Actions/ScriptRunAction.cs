using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Ops.Agent.Hosting;
using Ops.Agent.Processes;
using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>
/// script.run: runs a script named in the agent's configuration. Parameters are checked against the
/// script's declared types and patterns, unknown ones are refused, and values are substituted into
/// separate argv entries of a directly started process: no shell ever sees them. A script runs only on the
/// target kinds it declares (nodes by default); on a pod target it learns the target process ({pid}, {root})
/// and runs as an unprivileged user (Agent:ScriptUser) unless it says otherwise: a team that may run a script
/// on its own pod must not get the agent's root on the node with it.
/// </summary>
public sealed class ScriptRunAction(IOptions<AgentOptions> options, ProcessLocator locator) : IAgentAction
{
    public ActionDefinition Definition => ActionCatalogue.ScriptRun.Definition;

    public async Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var scripts = options.Value.Scripts;
        var name = context.Required(ActionCatalogue.ScriptRun.Script);
        if (!scripts.TryGetValue(name, out var script))
        {
            throw new ActionParameterException($"script \"{name}\" is not configured; configured scripts: {(scripts.Count == 0 ? "none" : string.Join(", ", scripts.Keys.Order(StringComparer.Ordinal)))}");
        }
        var values = Bind(script, context.Parameters.Where(p => p.Key != "script").ToDictionary());
        var kind = context.Target.Node ? ScriptDefinition.NodeTargets : ScriptDefinition.PodTargets;
        if (!script.TargetsOrDefault.Contains(kind, StringComparer.Ordinal))
        {
            throw new ActionParameterException($"script \"{name}\" runs on {string.Join(" and ", script.TargetsOrDefault)} only (its Targets), not on {kind}");
        }
        var start = new ProcessStartInfo(script.Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (!context.Target.Node)
        {
            var target = locator.Select(context.Target);
            values["pid"] = target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
            values["root"] = locator.Proc.RootOf(target.Pid);
            // Switching users needs root; an agent that is not root already runs scripts unprivileged.
            if (UserFor(script) is { } user && Environment.IsPrivilegedProcess) start.UserName = user;
        }
        foreach (var argument in script.Arguments)
        {
            start.ArgumentList.Add(Regex.Replace(argument, @"\{([A-Za-z0-9_]+)\}", m => values.GetValueOrDefault(m.Groups[1].Value) ?? "", RegexOptions.None, TimeSpan.FromSeconds(1)));
        }
        using var process = Start(name, start);
        var output = new StringBuilder();
        var outputLock = new Lock();
        void Collect(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (outputLock)
            {
                if (output.Length < context.Options.MaxOutputBytes) output.AppendLine(e.Data);
            }
        }
        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        process.WaitForExit();
        string text;
        lock (outputLock) text = output.ToString();
        return process.ExitCode == 0
            ? ActionOutcome.Success(text, process.Id)
            : ActionOutcome.Failure($"script \"{name}\" exited with {process.ExitCode}", text, process.ExitCode);
    }

    private static Process Start(string name, ProcessStartInfo start)
    {
        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start");
        }
        catch (Exception e) when (start.UserName.Length > 0 && e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            // A user the node's agent does not know (an image without it): the administrator's setting, said as such.
            throw new ActionParameterException($"script \"{name}\" runs on pods as user {start.UserName} (Agent:ScriptUser, or its RunAs), which the agent cannot run it as: {e.Message}");
        }
    }

    private string? UserFor(ScriptDefinition script) => script.RunAs switch
    {
        ScriptDefinition.AgentUser => null,
        { Length: > 0 } user => user,
        _ => options.Value.ScriptUser,
    };

    private static Dictionary<string, string> Bind(ScriptDefinition script, Dictionary<string, string> given)
    {
        foreach (var unknown in given.Keys.Where(k => !script.Parameters.ContainsKey(k)))
        {
            throw new ActionParameterException($"script parameter \"{unknown}\" is not declared; declared: {string.Join(", ", script.Parameters.Keys.Order(StringComparer.Ordinal))}");
        }
        var values = new Dictionary<string, string>();
        foreach (var (name, parameter) in script.Parameters)
        {
            var value = given.GetValueOrDefault(name) ?? parameter.Default;
            if (value is null)
            {
                if (parameter.Required) throw new ActionParameterException($"script parameter \"{name}\" is required");
                continue;
            }
            var valid = parameter.Type switch
            {
                "integer" => long.TryParse(value, out _),
                "boolean" => value is "true" or "false",
                _ => Regex.IsMatch(value, parameter.Pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)),
            };
            if (!valid)
            {
                throw new ActionParameterException(parameter.Type == "string"
                    ? $"script parameter \"{name}\" does not match {parameter.Pattern}"
                    : $"script parameter \"{name}\" must be {(parameter.Type == "integer" ? "an integer" : "true or false")}");
            }
            values[name] = value;
        }
        return values;
    }
}
