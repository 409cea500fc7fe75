namespace Ops.KubectlPlugin.Cli;

/// <summary>An error said to the user as it is (no stack trace), with the exit code it means.</summary>
public sealed class PluginException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static PluginException Usage(string message) => new(message, ExitCodes.Usage);

    public static PluginException Cluster(string message) => new(message, ExitCodes.Cluster);
}
