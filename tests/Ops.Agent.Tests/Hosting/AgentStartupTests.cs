using System.Diagnostics;
using Ops.TestSupport;

namespace Ops.Agent.Tests.Hosting;

/// <summary>The agent executable refuses to start on missing or bad certificate files, or a setting out of range, with one line that says which, not a stack trace.</summary>
public sealed class AgentStartupTests : IDisposable
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly TestPki _pki = TestPki.Create();
    private readonly string _data = TestWorkspace.CreateDirectory("agent-start-");

    public void Dispose()
    {
        _pki.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    private async Task<(int ExitCode, string Stderr)> RunAsync(string? caPath, string certificatePath, string keyPath, string port = "0")
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ops.Agent.dll"));
        foreach (var (key, value) in new[] { ("NodeName", "n1"), ("ListenAddress", "127.0.0.1"), ("Port", port), ("DataDirectory", _data), ("CaPath", caPath ?? ""), ("CertificatePath", certificatePath), ("KeyPath", keyPath) })
        {
            start.ArgumentList.Add($"--Agent:{key}={value}");
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(_ct);
        _ = process.StandardOutput.ReadToEndAsync(_ct);
        await process.WaitForExitAsync(_ct).WaitAsync(Timeouts.Eventually, _ct);
        return (process.ExitCode, (await stderr).Trim());
    }

    [Fact]
    public async Task A_missing_key_file_is_named_in_one_line()
    {
        var missing = Path.Combine(_data, "no-such.key");

        var (exitCode, stderr) = await RunAsync(_pki.CaPath, _pki.AgentCertificatePath, missing);

        Assert.Equal(1, exitCode);
        Assert.Equal($"error: the agent could not start: Agent:KeyPath: {missing} does not exist (the serving certificate's private key; is the agent's Secret mounted?)", stderr);
    }

    [Fact]
    public async Task An_unset_CA_path_is_named_in_one_line()
    {
        var (exitCode, stderr) = await RunAsync(null, _pki.AgentCertificatePath, _pki.AgentKeyPath);

        Assert.Equal(1, exitCode);
        Assert.Equal("error: the agent could not start: Agent:CaPath is not set (the CA certificate that signs the operator's client certificate)", stderr);
    }

    [Fact]
    public async Task A_key_file_that_is_not_a_key_is_refused_in_one_line()
    {
        var garbage = Path.Combine(_data, "garbage.key");
        await File.WriteAllTextAsync(garbage, "not a key", _ct);

        var (exitCode, stderr) = await RunAsync(_pki.CaPath, _pki.AgentCertificatePath, garbage);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: the agent could not start: the certificate files (", stderr);
        Assert.DoesNotContain("\n", stderr);
    }

    [Fact]
    public async Task A_setting_out_of_range_is_named_in_one_line_not_a_stack_trace()
    {
        var (exitCode, stderr) = await RunAsync(_pki.CaPath, _pki.AgentCertificatePath, _pki.AgentKeyPath, port: "-1");

        Assert.Equal(2, exitCode);
        Assert.StartsWith("error: invalid agent settings: ", stderr);
        Assert.Contains("'Port' with the error: 'The field Port must be between 0 and 65535.'", stderr);
        Assert.DoesNotContain("\n", stderr);
    }
}
