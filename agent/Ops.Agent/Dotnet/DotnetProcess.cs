namespace Ops.Agent.Dotnet;

/// <summary>A .NET process reachable through its diagnostics socket: where the socket is, and what the runtime is.</summary>
public sealed record DotnetProcess(int Pid, int NamespacePid, string CommandLine, string SocketPath, string? RuntimeVersion, string? EntryAssembly);
