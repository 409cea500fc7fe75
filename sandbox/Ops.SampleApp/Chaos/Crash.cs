namespace Ops.SampleApp.Chaos;

/// <summary>Ends the process as a fatal runtime error would (Environment.FailFast: no finally blocks, a crash dump when the runtime is told to write one).</summary>
internal static class Crash
{
    public static void Soon()
    {
        // Long enough for the 202 to reach the caller.
        Thread.Sleep(TimeSpan.FromMilliseconds(200));
        Environment.FailFast("chaos: /chaos/crash asked the checkout to crash");
    }
}
