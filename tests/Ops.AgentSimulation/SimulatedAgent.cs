using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Ops.Agent.Executions;

namespace Ops.AgentSimulation;

/// <summary>
/// One simulated agent: the node it serves, the version it reports, its certificates (from the pod's TLS
/// Secret, as the real agent's), and the real agent's <see cref="ExecutionManager"/> over a journal in a
/// directory of its node's own, so a repeated Execute attaches to the first and a restarted agent finds what
/// its predecessor started, exactly as on a real node.
/// </summary>
internal sealed class SimulatedAgent(string node, string version, IPEndPoint address, X509Certificate2 certificate, X509Certificate2 ca, DateTimeOffset started, ExecutionManager executions)
{
    public string Node => node;
    public string Version => version;
    public IPEndPoint Address => address;
    public X509Certificate2 Ca => ca;
    public DateTimeOffset Started => started;
    public SslStreamCertificateContext Certificate { get; } = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
    public ExecutionManager Executions => executions;
}
