using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>
/// agent.selftest: the checks rollout health gates rely on — the data directory is writable, the
/// TLS material is readable and not about to expire, /proc (how the agent finds processes) is readable,
/// and, with listen mode on, the diagnostic ports directory the pods' runtimes connect to can be used.
/// </summary>
public sealed class AgentSelfTestAction(TimeProvider clock) : IAgentAction
{
    public ActionDefinition Definition => ActionCatalogue.AgentSelfTest;

    public async Task<ActionOutcome> RunAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var report = new StringBuilder();
        var failures = new List<string>();
        void Check(string what, Func<string?> probe)
        {
            string? problem;
            try
            {
                problem = probe();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                problem = e.Message;
            }
            report.AppendLine($"{(problem is null ? "ok  " : "FAIL")} {what}{(problem is null ? "" : ": " + problem)}");
            if (problem is not null) failures.Add($"{what}: {problem}");
        }

        Check("data directory writable", () =>
        {
            Directory.CreateDirectory(context.Options.DataDirectory);
            var probe = Path.Combine(context.Options.DataDirectory, $".selftest-{Guid.NewGuid():n}");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
            return null;
        });
        Check("serving certificate valid for a day", () =>
        {
            using var certificate = X509CertificateLoader.LoadCertificateFromFile(context.Options.CertificatePath);
            return certificate.NotAfter.ToUniversalTime() < clock.GetUtcNow().UtcDateTime.AddDays(1) ? $"expires {certificate.NotAfter:O}" : null;
        });
        Check("CA certificate readable", () =>
        {
            using var ca = X509CertificateLoader.LoadCertificateFromFile(context.Options.CaPath);
            return null;
        });
        if (context.Options.DiagnosticPortsDirectory.Length > 0)
        {
            Check("diagnostic ports directory usable", () =>
            {
                Directory.CreateDirectory(context.Options.DiagnosticPortsDirectory);
                return null;
            });
        }
        Check("/proc readable", () => File.ReadAllText("/proc/self/status").Contains("Pid:", StringComparison.Ordinal) ? null : "/proc/self/status has no Pid line");
        await Task.CompletedTask;
        return failures.Count == 0 ? ActionOutcome.Success(report.ToString()) : ActionOutcome.Failure(string.Join("; ", failures), report.ToString());
    }
}
