using Ops.Operator.Agents.Pki;

namespace Ops.Operator.Hosting;

/// <summary>The operator's certificates, available once bootstrapped (before any controller starts).</summary>
public sealed class OperatorPkiSource
{
    private OperatorPki? _pki;

    public OperatorPki Current => _pki ?? throw new InvalidOperationException("the operator's certificates are not bootstrapped yet");

    public bool IsSet => _pki is not null;

    public void Set(OperatorPki pki) => _pki = pki;
}
