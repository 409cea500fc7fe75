using System.Runtime.InteropServices;

namespace Ops.Sandbox.Processes;

/// <summary>POSIX signals to processes by pid (System.Diagnostics.Process can only SIGKILL processes it started or can open).</summary>
internal static class Signals
{
    public const int Terminate = 15;
    public const int Kill = 9;

    /// <summary>Sends <paramref name="signal"/>; false when the process is gone or not ours.</summary>
    public static bool Send(int pid, int signal) => SendSignal(pid, signal) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
