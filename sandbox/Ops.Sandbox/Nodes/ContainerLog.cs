namespace Ops.Sandbox.Nodes;

/// <summary>
/// Where a container's output is: plain lines (the process runtime), or the CRI log format a container runtime
/// writes (<c>TIMESTAMP STREAM P|F TEXT</c> per line), which <c>kubectl logs</c> shows as plain text.
/// </summary>
public sealed record ContainerLog(string Path, bool CriFormat);
