namespace Ops.SampleApp;

/// <summary>An order of the sample workload's backlog.</summary>
internal sealed record Order(int Number, string Customer, decimal[] Lines);
