using Ops.Agent.Hosting;

namespace Ops.Agent;

internal static class Program
{
    /// <summary>Settings come from configuration: Agent__NodeName=... environment variables or --Agent:NodeName=... arguments.</summary>
    public static async Task<int> Main(string[] args)
    {
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
