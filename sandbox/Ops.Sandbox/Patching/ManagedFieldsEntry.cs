using System.Text.Json.Nodes;

namespace Ops.Sandbox.Patching;

/// <summary>One entry of metadata.managedFields: who owns which fields, by which operation.</summary>
internal sealed record ManagedFieldsEntry(string Manager, string Operation, string ApiVersion, string Time, string Subresource, FieldSet Fields)
{
    public bool SameOwner(ManagedFieldsEntry other) => Manager == other.Manager && Operation == other.Operation && Subresource == other.Subresource;

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["manager"] = Manager,
            ["operation"] = Operation,
            ["apiVersion"] = ApiVersion,
            ["time"] = Time,
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = Fields.ToFieldsV1(),
        };
        if (Subresource.Length > 0) json["subresource"] = Subresource;
        return json;
    }

    public static ManagedFieldsEntry FromJson(JsonObject json) => new(
        (string?)json["manager"] ?? "",
        (string?)json["operation"] ?? "Update",
        (string?)json["apiVersion"] ?? "",
        (string?)json["time"] ?? "",
        (string?)json["subresource"] ?? "",
        FieldSet.FromFieldsV1(json["fieldsV1"] as JsonObject));
}
