using System.Runtime.CompilerServices;

namespace Ops.SampleApp.Chaos;

/// <summary>Throws and catches PaymentDeclinedExceptions, which the runtime counts (exception-count) and a trace or dump sees.</summary>
internal static class ExceptionBurst
{
    public static void Throw(int count)
    {
        for (var n = 1; n <= count; n++)
        {
            try
            {
                Charge(n);
            }
            catch (PaymentDeclinedException)
            {
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Charge(int order) => throw new PaymentDeclinedException($"payment declined for order {order}: card expired");
}
