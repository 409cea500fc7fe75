namespace Ops.Sandbox.Nodes;

/// <summary>
/// A container that could not start, with the waiting reason a kubelet shows for it (ErrImagePull,
/// CreateContainerConfigError, CreateContainerError, RunContainerError) and the runtime's message.
/// </summary>
internal sealed class ContainerStartException(string reason, string message, Exception? inner = null) : Exception(message, inner)
{
    public const string ErrImagePull = "ErrImagePull";
    public const string ErrImageNeverPull = "ErrImageNeverPull";
    public const string CreateContainerConfigError = "CreateContainerConfigError";
    public const string CreateContainerError = "CreateContainerError";
    public const string RunContainerError = "RunContainerError";

    public string Reason { get; } = reason;

    /// <summary>Whether the kubelet backs off as from a failed pull (ImagePullBackOff) rather than from a failed start.</summary>
    public bool IsPull => Reason is ErrImagePull or ErrImageNeverPull;
}
