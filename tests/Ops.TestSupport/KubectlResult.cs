namespace Ops.TestSupport;

public sealed record KubectlResult(int ExitCode, string Stdout, string Stderr);
