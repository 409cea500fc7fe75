namespace Ops.Sandbox.Protobuf;

/// <summary>What a field of a Kubernetes protobuf message holds, and how it reads as JSON.</summary>
internal enum ProtoKind
{
    Text,
    /// <summary>Bytes, base64 in JSON (Secret data, ConfigMap binaryData).</summary>
    Bytes,
    Bool,
    Int,
    /// <summary>A nested message, named by <see cref="ProtoField.Message"/>.</summary>
    Message,
    /// <summary>metav1.Time: seconds and nanos, an RFC 3339 string in JSON.</summary>
    Time,
    /// <summary>resource.Quantity: its string form.</summary>
    Quantity,
    /// <summary>intstr.IntOrString: a number or a string in JSON.</summary>
    IntOrString,
}

/// <summary>
/// One field of a message: its JSON name, kind, whether it repeats, for a map the kind of its values (keys are
/// strings), and whether it is a pointer in Go (<paramref name="Pointer"/>): Kubernetes' marshallers write every
/// plain field, zero or not, so a zero plain field means "unset" (omitted, as JSON's omitempty would), while a
/// pointer is written only when set and its zero (replicas: 0, immutable: false) is kept.
/// </summary>
internal sealed record ProtoField(string Name, ProtoKind Kind, string? Message = null, bool Repeated = false, ProtoKind? MapValue = null, bool Pointer = false);
