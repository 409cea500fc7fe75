using System.Security.Cryptography.X509Certificates;

namespace Ops.Operator.Agents.Pki;

/// <summary>
/// What the operator needs to talk to agents (the CA to trust and its own client certificate), and the CA itself,
/// kept to issue (and renew) the certificate it serves artifact downloads with.
/// </summary>
public sealed record OperatorPki(X509Certificate2 Ca, X509Certificate2 ClientCertificate, CertificateAuthority Authority);
