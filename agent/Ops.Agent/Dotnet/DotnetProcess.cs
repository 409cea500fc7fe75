namespace Ops.Agent.Dotnet;

/// <summary>A .NET process: its own diagnostics socket when the agent can see one (else listen mode may reach it), and what the runtime is.</summary>
public sealed record DotnetProcess(int Pid, int NamespacePid, string CommandLine, string? SocketPath, string? RuntimeVersion, string? EntryAssembly);
