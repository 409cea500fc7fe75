namespace Ops.Sandbox.Security;

/// <summary>The bearer token of the sandbox's one user.</summary>
internal sealed record SandboxIdentity(string Token);
