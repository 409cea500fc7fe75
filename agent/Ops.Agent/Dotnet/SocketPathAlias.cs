using System.Runtime.InteropServices;
using System.Text;

namespace Ops.Agent.Dotnet;

/// <summary>
/// A Unix socket's address holds at most 107 bytes of path (sun_path), and the way to a container's
/// diagnostics socket, /proc/PID/root/TMPDIR/dotnet-diagnostic-PID-KEY-socket, can be longer (a long
/// TMPDIR). Such a socket is reached as /proc/self/fd/N/NAME, N a descriptor of its directory opened with
/// O_PATH, which this alias holds for as long as connections are made through it (every diagnostics
/// request opens one).
/// </summary>
public sealed class SocketPathAlias : IDisposable
{
    private const int MaxPathBytes = 107;
    private const int OPath = 0x200000;
    private const int OCloexec = 0x80000;
    private int _descriptor;

    private SocketPathAlias(string path, int descriptor)
    {
        Path = path;
        _descriptor = descriptor;
    }

    /// <summary>The path to connect to: the socket's own, or the short one through the held descriptor.</summary>
    public string Path { get; }

    public static SocketPathAlias For(string socket)
    {
        if (Encoding.UTF8.GetByteCount(socket) <= MaxPathBytes) return new SocketPathAlias(socket, -1);
        var directory = System.IO.Path.GetDirectoryName(socket) ?? "/";
        var descriptor = Open(directory, OPath | OCloexec);
        if (descriptor < 0) throw new IOException($"could not open {directory} to reach its socket (errno {Marshal.GetLastPInvokeError()})");
        return new SocketPathAlias($"/proc/self/fd/{descriptor}/{System.IO.Path.GetFileName(socket)}", descriptor);
    }

    public void Dispose()
    {
        var descriptor = Interlocked.Exchange(ref _descriptor, -1);
        // A close that fails leaves nothing to do: the descriptor is gone either way (close(2) on Linux).
        if (descriptor >= 0) _ = Close(descriptor);
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int descriptor);
}
