using System.Security.Cryptography;

namespace Ops.Sandbox.Security;

/// <summary>The administrator's bearer token: kept in the data directory when there is one (a restarted sandbox keeps its kubeconfig), new otherwise.</summary>
internal static class AdminToken
{
    public static string LoadOrCreate(string? dataDirectory)
    {
        var path = dataDirectory is null ? null : Path.Combine(dataDirectory, "token");
        if (path is not null && File.Exists(path)) return File.ReadAllText(path).Trim();
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        if (path is not null)
        {
            Directory.CreateDirectory(dataDirectory!);
            File.WriteAllText(path, token);
        }
        return token;
    }
}
