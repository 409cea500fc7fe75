using Xunit;

namespace Ops.TestSupport;

public sealed record KubectlResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>This result, or a failed assertion that shows what kubectl said.</summary>
    public KubectlResult EnsureSuccess()
    {
        if (ExitCode != 0) Assert.Fail($"kubectl exited {ExitCode}: {Stderr}{Stdout}");
        return this;
    }
}
