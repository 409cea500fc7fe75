namespace Ops.TestSupport;

/// <summary>Locations in the repository, found from the test binaries upwards.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = Ops.Sandbox.Hosting.RepositoryDirectory.Find() ?? throw new InvalidOperationException($"Ops.sln not found above {AppContext.BaseDirectory}");

    public static string Crds => Path.Combine(Root, "crds");

    public static string Chart => Path.Combine(Root, "charts", "ops");

    public static string Samples => Path.Combine(Root, "samples");
}
