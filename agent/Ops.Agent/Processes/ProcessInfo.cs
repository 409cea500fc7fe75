namespace Ops.Agent.Processes;

/// <summary>One process as /proc shows it; NamespacePid is its pid inside its own pid namespace.</summary>
public sealed record ProcessInfo(int Pid, int ParentPid, int NamespacePid, string Name, string CommandLine, char State, long ResidentBytes);
