namespace Ops.ControllerRuntime.Informers;

/// <summary>One page of a list: its items, the continue token of the next page, and the list's resourceVersion.</summary>
public sealed record ResourcePage<T>(IList<T> Items, string? Continue, string ResourceVersion);
