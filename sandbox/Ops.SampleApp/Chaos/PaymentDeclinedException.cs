namespace Ops.SampleApp.Chaos;

/// <summary>The exception /chaos/throw throws and catches: the checkout's payment provider said no.</summary>
public sealed class PaymentDeclinedException : Exception
{
    public PaymentDeclinedException()
    {
    }

    public PaymentDeclinedException(string message) : base(message)
    {
    }

    public PaymentDeclinedException(string message, Exception inner) : base(message, inner)
    {
    }
}
