namespace Ops.Sandbox.Hosting;

/// <summary>The repository these programs were built from (the folder holding Ops.sln), found from the build output, else from the current directory.</summary>
public static class RepositoryDirectory
{
    /// <summary>The repository root that holds <paramref name="entry"/> (a file or folder in it), or null.</summary>
    public static string? Find(string entry = "Ops.sln")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var path = Path.Combine(dir.FullName, entry);
                if (File.Exists(Path.Combine(dir.FullName, "Ops.sln")) && (File.Exists(path) || Directory.Exists(path))) return dir.FullName;
            }
        }
        return null;
    }
}
