using System.Text;
using System.Text.RegularExpressions;
using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>log.grep: lines of a file inside the target container matching a regular expression, with their numbers.</summary>
public sealed class LogGrepAction(TargetFiles files) : IAgentAction
{
    public ActionDefinition Definition => ActionCatalogue.LogGrep.Definition;

    public async Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var max = context.Integer(ActionCatalogue.LogGrep.MaxLines);
        var options = RegexOptions.CultureInvariant | (context.Flag(ActionCatalogue.LogGrep.IgnoreCase) ? RegexOptions.IgnoreCase : RegexOptions.None);
        Regex pattern;
        try
        {
            pattern = new Regex(context.Required(ActionCatalogue.LogGrep.Pattern), options, TimeSpan.FromMilliseconds(50));
        }
        catch (ArgumentException e)
        {
            throw new ActionParameterException($"parameter \"pattern\" is not a valid regular expression: {e.Message}");
        }
        var (hostPath, pid) = files.Resolve(context);
        var lines = await TargetFiles.ReadLinesAsync(hostPath, context.Required(ActionCatalogue.LogGrep.Path), cancellationToken);
        var output = new StringBuilder();
        var found = 0;
        for (var i = 0; i < lines.Count && found < max; i++)
        {
            bool matches;
            try
            {
                matches = pattern.IsMatch(lines[i]);
            }
            catch (RegexMatchTimeoutException)
            {
                throw new ActionParameterException("parameter \"pattern\" is too slow to match (over 50 ms on one line)");
            }
            if (!matches) continue;
            output.Append(i + 1).Append(':').AppendLine(lines[i]);
            found++;
        }
        return found == 0
            ? new ActionOutcome(true, 1, "", $"no line matches \"{pattern}\"", pid)
            : ActionOutcome.Success(output.ToString(), pid);
    }
}
