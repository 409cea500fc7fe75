using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ops.Agent.Hosting;
using Ops.Agent.V1;

namespace Ops.Agent.Artifacts;

/// <summary>
/// Artifacts on the node's disk under the agent's data directory, within a byte budget and deleted
/// after a TTL. A capture writes through a stream that stops at the remaining budget; the finished
/// file gets its size and sha256 and a name that the operator can ask DownloadArtifact for.
/// </summary>
public sealed class ArtifactStore(IOptions<AgentOptions> options, TimeProvider clock, ILogger<ArtifactStore> logger)
{
    private readonly Lock _lock = new();
    private long _reserved;

    private ArtifactOptions Settings => options.Value.Artifacts;

    public string Directory => Path.Combine(options.Value.DataDirectory, "artifacts");

    /// <summary>Bytes the stored artifacts take now.</summary>
    public long UsedBytes => Files().Sum(f => f.Length);

    /// <summary>Bytes of the budget not used or reserved by a capture in progress.</summary>
    public long RemainingBytes
    {
        get
        {
            lock (_lock) return Math.Max(0, Settings.BudgetBytes - UsedBytes - _reserved);
        }
    }

    /// <summary>Writes an artifact; <paramref name="write"/> gets a stream capped at what the budget still allows.</summary>
    public async Task<ArtifactInfo> CreateAsync(string commandUid, string targetKey, string fileName, string contentType, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        DeleteExpired();
        var name = NameOf(commandUid, targetKey, fileName);
        var path = Path.Combine(Directory, name);
        var partial = path + ".partial";
        long allowed;
        lock (_lock)
        {
            allowed = Settings.BudgetBytes - UsedBytes - _reserved;
            if (allowed <= 0) throw new ArtifactBudgetException(Full());
            _reserved += allowed;
        }
        try
        {
            await using (var file = File.Create(partial))
            {
                var budgeted = new BudgetedStream(file, allowed, Full);
                await write(budgeted, cancellationToken);
            }
            File.Move(partial, path, overwrite: true);
            var info = await DescribeAsync(new FileInfo(path), contentType, cancellationToken);
            AgentLog.ArtifactStored(logger, name, info.SizeBytes);
            return info;
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
        finally
        {
            lock (_lock) _reserved -= allowed;
        }
    }

    /// <summary>An artifact's file, or null when there is none by that name (names are checked, never joined blindly).</summary>
    public FileInfo? Find(string name)
    {
        if (name.Length == 0 || name.Contains('/') || name.Contains('\\') || name.StartsWith('.') || name.EndsWith(".partial", StringComparison.Ordinal)) return null;
        var file = new FileInfo(Path.Combine(Directory, name));
        return file.Exists ? file : null;
    }

    /// <summary>A stored artifact as a command's status lists it: name, size, sha256 (read again from the disk).</summary>
    public static async Task<ArtifactInfo> DescribeAsync(FileInfo file, string contentType, CancellationToken cancellationToken)
    {
        await using var read = file.OpenRead();
        var sha = Convert.ToHexString(await SHA256.HashDataAsync(read, cancellationToken)).ToLowerInvariant();
        return new ArtifactInfo { Name = file.Name, SizeBytes = read.Length, Sha256 = sha, ContentType = contentType };
    }

    /// <summary>Removes what a capture stored when the capture as a whole failed (a process that exited mid-trace).</summary>
    public void Discard(string commandUid, string targetKey, string fileName) => File.Delete(Path.Combine(Directory, NameOf(commandUid, targetKey, fileName)));

    public void DeleteExpired()
    {
        var before = clock.GetUtcNow().UtcDateTime - Settings.Ttl;
        foreach (var file in Files().Where(f => f.LastWriteTimeUtc < before))
        {
            try
            {
                file.Delete();
                AgentLog.ArtifactExpired(logger, file.Name);
            }
            catch (IOException)
            {
            }
        }
    }

    private IEnumerable<FileInfo> Files() => System.IO.Directory.Exists(Directory) ? new DirectoryInfo(Directory).EnumerateFiles() : [];

    private string Full() => $"the artifact would exceed this agent's artifact budget of {Settings.BudgetBytes / (1024 * 1024)} MiB ({UsedBytes / (1024 * 1024)} MiB in use); delete old commands' artifacts or raise Agent:Artifacts:BudgetBytes";

    /// <summary>The hash of the target an artifact was made for (the second part of its name), or null for a name <see cref="NameOf"/> did not make.</summary>
    public static string? TargetOf(string name) => name.Split('-', 3) is [_, { Length: 12 } target, _] ? target : null;

    /// <summary>The file name an artifact was stored under (its name without the command and target parts).</summary>
    public static string FileNameOf(string name) => name.Split('-', 3) is [_, { Length: 12 }, var file] ? file : name;

    /// <summary>A file name from the command, the target and the file, stable and safe: uid prefix, a hash of the target key, the file name.</summary>
    public static string NameOf(string commandUid, string targetKey, string fileName)
    {
        var target = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(targetKey)))[..12].ToLowerInvariant();
        var uid = new string([.. commandUid.Where(char.IsAsciiLetterOrDigit).Take(12)]);
        return $"{uid}-{target}-{fileName}";
    }
}
