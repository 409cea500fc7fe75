namespace Ops.ControllerRuntime.Informers;

/// <summary>The query of a watch that resumes from a resourceVersion, with bookmarks and a server-side timeout.</summary>
public sealed record WatchQuery(string ResourceVersion, int TimeoutSeconds, string? LabelSelector = null, string? FieldSelector = null)
{
    public override string ToString()
    {
        var parts = new List<string> { "watch=true", "allowWatchBookmarks=true", $"resourceVersion={Uri.EscapeDataString(ResourceVersion)}", $"timeoutSeconds={TimeoutSeconds}" };
        if (!string.IsNullOrEmpty(LabelSelector)) parts.Add($"labelSelector={Uri.EscapeDataString(LabelSelector)}");
        if (!string.IsNullOrEmpty(FieldSelector)) parts.Add($"fieldSelector={Uri.EscapeDataString(FieldSelector)}");
        return string.Join('&', parts);
    }
}
