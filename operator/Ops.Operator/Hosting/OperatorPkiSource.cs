using Ops.Operator.Agents.Pki;

namespace Ops.Operator.Hosting;

/// <summary>The operator's certificates, available once bootstrapped (before any controller starts).</summary>
public sealed class OperatorPkiSource
{
    private OperatorPki? _pki;
    private (OperatorPki? Of, string Pem) _keyPem;

    public OperatorPki Current => _pki ?? throw new InvalidOperationException("the operator's certificates are not bootstrapped yet");

    public bool IsSet => _pki is not null;

    public void Set(OperatorPki pki) => _pki = pki;

    /// <summary>
    /// The CA's private key as PEM, the secret the operator's seals are keyed from (plans, requesters): exported once per
    /// PKI, since exporting a key at every command's audit line and Event cost more than the rest of the seal.
    /// </summary>
    public string KeyPem()
    {
        var pki = Current;
        var cached = _keyPem;
        if (!ReferenceEquals(cached.Of, pki)) _keyPem = cached = (pki, pki.Authority.KeyPem);
        return cached.Pem;
    }
}
