using Ops.Agent.Processes;
using Ops.Agent.V1.Actions;

namespace Ops.Agent.Actions;

/// <summary>Opens a file as the target sees it: inside the container's root for pod targets, on the node for node targets.</summary>
public sealed class TargetFiles(ProcessLocator locator)
{
    /// <summary>Files larger than this are read from their end only.</summary>
    public const long MaxReadBytes = 64L * 1024 * 1024;

    public (string HostPath, int Pid) Resolve(ActionContext context)
    {
        var path = context.Required(ActionCatalogue.FileTail.Path);
        if (context.Target.Node) return (ContainerPath.Resolve("/", path), 0);
        var process = locator.Select(context.Target);
        return (ContainerPath.Resolve(locator.FileRootOf(context.Target, process), path), process.Pid);
    }

    /// <summary>The file's lines, reading at most the last <see cref="MaxReadBytes"/>.</summary>
    public static async Task<List<string>> ReadLinesAsync(string hostPath, string shownPath, CancellationToken cancellationToken)
    {
        if (Directory.Exists(hostPath)) throw new ActionParameterException($"{shownPath} is a directory");
        if (!File.Exists(hostPath)) throw new ActionParameterException($"{shownPath} does not exist in the target");
        await using var stream = RegularFiles.OpenRead(hostPath) ?? throw new ActionParameterException($"{shownPath} is not a regular file (a FIFO, socket or device): only files are read");
        if (stream.Length > MaxReadBytes) stream.Seek(-MaxReadBytes, SeekOrigin.End);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (await reader.ReadLineAsync(cancellationToken) is { } line) lines.Add(line);
        return lines;
    }
}
