using Ops.Sandbox.Selection;

namespace Ops.Sandbox.Api;

/// <summary>List and watch query options.</summary>
internal sealed record ListOptions(LabelSelector Labels, FieldSelector Fields, int Limit = 0, string? Continue = null, string? ResourceVersion = null);
