namespace Ops.Sandbox.Storage;

/// <summary>An object over the store's size limit (etcd's request limit on a real cluster).</summary>
internal sealed class ObjectTooLargeException(int size, int limit) : Exception($"{size} bytes, the limit is {limit} bytes")
{
    public int Size { get; } = size;
    public int Limit { get; } = limit;
}
