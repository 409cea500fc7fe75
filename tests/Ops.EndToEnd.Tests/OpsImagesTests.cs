using Ops.Demo;

namespace Ops.EndToEnd.Tests;

/// <summary>Ops's images as the sandbox runs them (mapped by the demo, not by the generic sandbox).</summary>
public sealed class OpsImagesTests
{
    [Fact]
    public void The_agent_image_reports_its_tag_as_its_version_and_misbehaves_when_its_tag_says_so()
    {
        var agent = OpsImages.FromDirectory("/opt/ops")["ops-agent"];

        Assert.Equal(["/opt/ops/Ops.Agent.dll", "--Agent:Version=1.3.0"], agent.For("ghcr.io/example/ops-agent:1.3.0").Entrypoint);
        Assert.Contains("--Agent:DiagnosticPortsDirectory=/dev/null/diagnostic-ports", agent.For("ops-agent:1.4.0-selftest-fails").Entrypoint);
        Assert.Contains("--Agent:Version=1.4.0-selftest-fails", agent.For("ops-agent:1.4.0-selftest-fails").Entrypoint);
        Assert.Equal("/bin/sh", agent.For("ops-agent:1.5.0-crashes").FileName);
        Assert.Equal(["/opt/ops/Ops.Agent.dll"], agent.For("ops-agent").Entrypoint);
    }
}
