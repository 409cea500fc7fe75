namespace Ops.Sandbox.Nodes;

/// <summary>
/// What a simulated container is started with: where it runs, its image reference, its root and its
/// environment and arguments as a process would get them (volume paths rewritten to the host).
/// </summary>
public sealed record ContainerLaunch(
    SimulatedNode Node,
    string PodIp,
    string Image,
    string RootDirectory,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<string> Arguments);
