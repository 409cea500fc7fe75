using Ops.Agent.Hosting;

namespace Ops.Agent;

internal static class Program
{
    /// <summary>Settings come from configuration: Agent__NodeName=... environment variables or --Agent:NodeName=... arguments.</summary>
    public static async Task<int> Main(string[] args)
    {
        // The agent starts itself as a short-lived analysing process for each dump it analyses (Dumps.DumpAnalysisRunner).
        if (args is [Dumps.DumpAnalysisCommand.Verb, .. var analyze]) return Dumps.DumpAnalysisCommand.Run(analyze);
        try
        {
            await AgentHost.Build(args).RunAsync();
            return 0;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync($"error: invalid agent settings: {string.Join("; ", e.Failures)}");
            return 2;
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"error: the agent could not start: {e.Message}");
            return 1;
        }
    }
}
