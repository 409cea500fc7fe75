using Ops.Operator.Hosting;
using Ops.Operator.Manifests;

namespace Ops.Operator;

internal static class Program
{
    private const string Usage = """
        usage: Ops.Operator run [--Operator:Setting=value]...
               Ops.Operator crds --out DIR
               Ops.Operator actions --out FILE

        run       reconciles DiagnosticCommands, ScheduledTasks and AgentVersions while leading
                  (settings also from Operator__Setting environment variables)
        crds      writes the CustomResourceDefinitions generated from the API types
        actions   writes the reference of the actions and their parameters (docs/actions.md)
        """;

    public static async Task<int> Main(string[] args)
    {
        switch (args)
        {
            case ["crds", "--out", var outDirectory]:
                return CrdsCommand.Run(outDirectory, Console.Out);
            case ["actions", "--out", var outFile]:
                return ActionsReference.Run(outFile, Console.Out);
            case ["run", .. var settings]:
                try
                {
                    await OperatorHost.Build(settings).RunAsync();
                    return Environment.ExitCode;
                }
                catch (Microsoft.Extensions.Options.OptionsValidationException e)
                {
                    await Console.Error.WriteLineAsync($"error: invalid operator settings: {string.Join("; ", e.Failures)}");
                    return 2;
                }
            default:
                await Console.Error.WriteLineAsync(Usage);
                return 2;
        }
    }
}
