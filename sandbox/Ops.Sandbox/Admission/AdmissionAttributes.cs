using System.Text.Json.Nodes;
using Ops.Sandbox.Api;

namespace Ops.Sandbox.Admission;

/// <summary>What a write asks, as admission sees it: the resource, the operation, the object before and after, and who asks.</summary>
internal sealed record AdmissionAttributes(ResourceType Type, string Operation, string Namespace, string Name, JsonObject? Object, JsonObject? OldObject,
    string User, IReadOnlyList<string> Groups, bool DryRun)
{
    public const string Create = "CREATE";
    public const string Update = "UPDATE";
}
