namespace Ops.KubectlPlugin.Cli;

/// <summary>What kubectl ops exits with, for scripts (docs/kubectl-plugin.md).</summary>
public static class ExitCodes
{
    /// <summary>Done, and every target succeeded.</summary>
    public const int Success = 0;

    /// <summary>Done, and a target or the command failed; or a download did not match its checksum.</summary>
    public const int Failed = 1;

    /// <summary>Bad usage: an unknown verb, flag, action or parameter, a missing kubeconfig or context; nothing was created.</summary>
    public const int Usage = 2;

    /// <summary>The cluster could not be reached, or refused (not allowed, not found, the operator unavailable).</summary>
    public const int Cluster = 3;
}
