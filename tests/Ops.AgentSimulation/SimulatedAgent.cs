using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Ops.Agent.V1;

namespace Ops.AgentSimulation;

/// <summary>
/// One simulated agent: the node it serves, the version it reports, its certificates (from the pod's
/// TLS Secret, as the real agent's), and its journal of executions keyed by command uid and target,
/// which makes a repeated Execute attach to the first, as the real agent's journal does.
/// </summary>
internal sealed class SimulatedAgent(string node, string version, bool selfTestFails, IPEndPoint address, X509Certificate2 certificate, X509Certificate2 ca, DateTimeOffset started)
{
    private readonly ConcurrentDictionary<(string CommandUid, string TargetKey), Lazy<SimulatedExecution>> _journal = new();

    public string Node => node;
    public string Version => version;

    /// <summary>Its agent.selftest fails (an image tag ending in -selftest-fails, as with the real agent image).</summary>
    public bool SelfTestFails => selfTestFails;
    public IPEndPoint Address => address;
    public X509Certificate2 Ca => ca;
    public DateTimeOffset Started => started;
    public SslStreamCertificateContext Certificate { get; } = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);

    /// <summary>The execution of (command, target): the recorded one, or a new one from <paramref name="start"/>.</summary>
    public SimulatedExecution GetOrStart(ExecuteRequest request, Func<ExecuteRequest, SimulatedExecution> start) =>
        _journal.GetOrAdd((request.CommandUid, request.TargetKey), _ => new Lazy<SimulatedExecution>(() => start(request))).Value;

    public SimulatedExecution? Find(string commandUid, string targetKey) => _journal.GetValueOrDefault((commandUid, targetKey))?.Value;

    public int Cancel(string commandUid, string targetKey) =>
        _journal.Where(e => e.Key.CommandUid == commandUid && (targetKey.Length == 0 || e.Key.TargetKey == targetKey)).Count(e => e.Value.Value.Cancel());
}
