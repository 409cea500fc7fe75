namespace Ops.ControllerRuntime.Client;

/// <summary>How Events name their source: <c>kubectl describe</c> shows it in the "From" column.</summary>
/// <param name="Component">The controller's name, as in <c>source.component</c> and <c>reportingComponent</c>.</param>
public sealed record EventRecorderOptions(string Component);
