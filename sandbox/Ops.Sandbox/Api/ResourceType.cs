namespace Ops.Sandbox.Api;

/// <summary>
/// One served resource at one group/version: what discovery lists and what the verbs need to know.
/// Several served types can share one storage (events in core/v1 and events.k8s.io/v1; the versions
/// of a CRD); <see cref="StorageKey"/> names that storage.
/// </summary>
internal sealed record ResourceType
{
    public required string Group { get; init; }
    public required string Version { get; init; }
    public required string Kind { get; init; }
    public required string Plural { get; init; }
    public required bool Namespaced { get; init; }
    public string Singular => Kind.ToLowerInvariant();
    public IReadOnlyList<string> ShortNames { get; init; } = [];
    public IReadOnlyList<string> Categories { get; init; } = [];
    public string StorageKey => StorageGroup.Length == 0 ? StoragePlural : $"{StoragePlural}.{StorageGroup}";
    public string StorageGroup { get => field ?? Group; init; }
    public string StoragePlural { get => field ?? Plural; init; }
    /// <summary>The apiVersion objects are stored with; served objects are converted from it.</summary>
    public string StorageApiVersion { get => field ?? ApiVersion; init; }
    public bool HasStatusSubresource { get; init; }
    public bool HasGeneration { get; init; }
    public bool ReturnsDeletedObject { get; init; }
    public bool AllowUnconditionalUpdate { get; init; } = true;
    /// <summary>Names of these objects are DNS-1123 labels rather than subdomains (namespaces).</summary>
    public bool NameIsLabel { get; init; }
    /// <summary>Names of these objects are path segments (RBAC's roles and bindings: "system:discovery" is valid).</summary>
    public bool NameIsPathSegment { get; init; }
    public bool IsCustom { get; init; }
    public IReadOnlyList<string> SelectableFields { get; init; } = [];
    public IReadOnlyList<TableColumn> Columns { get; init; } = [];
    public Validation.StructuralSchema? Schema { get; init; }
    /// <summary>The CRD's openAPIV3Schema as written, published in the OpenAPI documents.</summary>
    public System.Text.Json.Nodes.JsonObject? RawSchema { get; init; }
    public IObjectConverter Converter { get; init; } = ApiVersionConverter.Instance;

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
    public string QualifiedPlural => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
    public string ListKind => Kind + "List";
}
