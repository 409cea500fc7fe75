using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Ops.Agent.Processes;

/// <summary>
/// Opens a file a request names only when it is a regular file. Opening a FIFO for reading blocks until a writer comes
/// (no cancellation reaches an open(2)), and a device such as /dev/zero is an endless line; .NET tells neither from a
/// file. So the path is opened without blocking (O_NONBLOCK, which a regular file ignores) and the open file itself is
/// examined (statx on the descriptor): nothing can be swapped in between a check and the open.
/// </summary>
public static class RegularFiles
{
    private const int ReadOnlyNonBlockingCloseOnExec = 0x800 | 0x80000; // O_RDONLY | O_NONBLOCK | O_CLOEXEC
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28; // struct statx: stx_mask, stx_blksize, stx_attributes, stx_nlink, stx_uid, stx_gid, then stx_mode
    private const ushort TypeMask = 0xF000;
    private const ushort Regular = 0x8000;

    /// <summary>The file open for reading; null when it is not a regular file. Missing or unreadable: an IOException or UnauthorizedAccessException.</summary>
    public static FileStream? OpenRead(string path)
    {
        var descriptor = Open(path, ReadOnlyNonBlockingCloseOnExec);
        if (descriptor < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is 1 or 13) throw new UnauthorizedAccessException($"{path}: permission denied");
            throw new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        var handle = new SafeFileHandle(descriptor, ownsHandle: true);
        var buffer = new byte[256];
        if (Statx(descriptor, "", AtEmptyPath, StatxType, buffer) != 0 || (BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(ModeOffset)) & TypeMask) != Regular)
        {
            handle.Dispose();
            return null;
        }
        return new FileStream(handle, FileAccess.Read);
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}
