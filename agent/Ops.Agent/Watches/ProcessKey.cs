namespace Ops.Agent.Watches;

/// <summary>One run of a process: its pid and its start time, so a pid the kernel gives to a new process is not taken for the old one.</summary>
public readonly record struct ProcessKey(int Pid, long StartTicks);
