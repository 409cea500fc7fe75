using System.Security.Cryptography;
using System.Text;

namespace Ops.Agent.Executions;

/// <summary>What makes an execution unique: the command's uid and the target's key.</summary>
public readonly record struct ExecutionKey(string CommandUid, string TargetKey)
{
    /// <summary>A file-name-safe form (the target key may hold slashes and colons).</summary>
    public string FileName => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(TargetKey)))[..32].ToLowerInvariant();
}
