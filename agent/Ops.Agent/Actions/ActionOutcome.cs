namespace Ops.Agent.Actions;

/// <summary>What an action produced: success or failure, an exit code, its output, artifacts stored, and, on failure, why.</summary>
public sealed record ActionOutcome(bool Succeeded, int ExitCode, string Output, string Message = "", int Pid = 0, IReadOnlyList<V1.ArtifactInfo>? Artifacts = null)
{
    public static ActionOutcome Success(string output, int pid = 0, IReadOnlyList<V1.ArtifactInfo>? artifacts = null) => new(true, 0, output, "", pid, artifacts);

    public static ActionOutcome Failure(string message, string output = "", int exitCode = 1) => new(false, exitCode, output, message);
}
