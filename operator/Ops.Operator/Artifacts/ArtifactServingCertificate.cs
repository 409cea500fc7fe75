using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Ops.Operator.Agents.Pki;
using Ops.Operator.Hosting;

namespace Ops.Operator.Artifacts;

/// <summary>
/// The certificate the artifact port serves: issued by the Ops CA once the PKI is bootstrapped, for the operator's
/// Service names (SERVICE, SERVICE.NAMESPACE, SERVICE.NAMESPACE.svc, SERVICE.NAMESPACE.svc.cluster.local), localhost
/// and 127.0.0.1 (kubectl port-forward) and the pod's address; held in memory and renewed once two thirds of its
/// life have passed, so a long-running operator never serves an expired one. Null before the PKI exists.
/// </summary>
public sealed class ArtifactServingCertificate(OperatorPkiSource pki, IOptions<OperatorOptions> options, PkiOptions pkiOptions, TimeProvider clock)
{
    /// <summary>The identity in the certificate's URI SAN.</summary>
    public const string Identity = "spiffe://ops.dev/operator-artifacts";

    private readonly Lock _gate = new();
    private X509Certificate2? _current;

    public X509Certificate2? Current()
    {
        if (!pki.IsSet) return null;
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (_current is { } held && now < held.NotBefore.ToUniversalTime() + (held.NotAfter - held.NotBefore) * 2 / 3) return held;
            var settings = options.Value;
            var service = settings.ServiceName;
            var ns = settings.Namespace;
            List<IPAddress> addresses = [IPAddress.Loopback];
            if (IPAddress.TryParse(settings.ListenAddress, out var listen) && !listen.Equals(IPAddress.Any) && !listen.Equals(IPAddress.Loopback)) addresses.Add(listen);
            _current = pki.Current.Authority.Issue(Identity, server: true, now, pkiOptions.ClientValidity,
                [service, $"{service}.{ns}", $"{service}.{ns}.svc", $"{service}.{ns}.svc.cluster.local", "localhost"], addresses);
            return _current;
        }
    }
}
