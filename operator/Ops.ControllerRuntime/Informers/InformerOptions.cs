namespace Ops.ControllerRuntime.Informers;

/// <summary>Timing of an informer's list and watch. Defaults suit a real API server.</summary>
public sealed record InformerOptions
{
    /// <summary>Server-side timeoutSeconds of each watch; jittered by up to 10%, then the watch resumes.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A watch with no event (bookmarks count) for this long is assumed stalled and restarted.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(90);

    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Items per list page.</summary>
    public int PageSize { get; init; } = 500;
}
