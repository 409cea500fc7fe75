using System.Text.Json.Nodes;
using static Ops.Sandbox.Api.ColumnFactory;

namespace Ops.Sandbox.Api;

/// <summary>The built-in kinds the sandbox serves, with the columns and selectable fields kubectl and controllers rely on.</summary>
internal static class BuiltInResources
{
    public const string CrdStorageKey = "customresourcedefinitions.apiextensions.k8s.io";
    public const string NamespaceStorageKey = "namespaces";

    public static IReadOnlyList<ResourceType> All { get; } =
    [
        new()
        {
            Group = "", Version = "v1", Kind = "Namespace", Plural = "namespaces", Namespaced = false, ShortNames = ["ns"],
            HasStatusSubresource = true, NameIsLabel = true, ReturnsDeletedObject = true, SelectableFields = ["status.phase"],
            Columns = [Path("Status", ".status.phase"), Age()],
        },
        new()
        {
            Group = "", Version = "v1", Kind = "Node", Plural = "nodes", Namespaced = false, ShortNames = ["no"],
            HasStatusSubresource = true, ReturnsDeletedObject = true, SelectableFields = ["spec.unschedulable"],
            Columns = [Computed("Status", NodeStatus), Computed("Roles", NodeRoles), Age(), Path("Version", ".status.nodeInfo.kubeletVersion"),
                Computed("Internal-IP", o => (o["status"]?["addresses"] as JsonArray)?.FirstOrDefault(a => (string?)a?["type"] == "InternalIP")?["address"]?.DeepClone(), priority: 1)],
        },
        new()
        {
            Group = "", Version = "v1", Kind = "Pod", Plural = "pods", Namespaced = true, ShortNames = ["po"], Categories = ["all"],
            HasStatusSubresource = true, ReturnsDeletedObject = true,
            SelectableFields = ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.podIP", "status.nominatedNodeName"],
            Columns = [Computed("Ready", PodReady), Computed("Status", o => (string?)o["metadata"]?["deletionTimestamp"] is not null ? "Terminating" : o["status"]?["phase"]?.DeepClone()),
                Computed("Restarts", o => (o["status"]?["containerStatuses"] as JsonArray)?.Sum(c => (int?)c?["restartCount"] ?? 0) ?? 0, "integer"), Age(),
                Path("IP", ".status.podIP", priority: 1), Path("Node", ".spec.nodeName", priority: 1)],
        },
        new()
        {
            Group = "", Version = "v1", Kind = "Event", Plural = "events", Namespaced = true, ShortNames = ["ev"],
            Converter = EventConverter.Instance,
            SelectableFields = ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
                "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"],
            Columns = [Computed("Last Seen", o => o["lastTimestamp"]?.DeepClone() ?? o["eventTime"]?.DeepClone()), Path("Type", ".type"), Path("Reason", ".reason"),
                Computed("Object", o => $"{((string?)o["involvedObject"]?["kind"])?.ToLowerInvariant()}/{o["involvedObject"]?["name"]}"), Path("Message", ".message")],
        },
        new()
        {
            Group = "events.k8s.io", Version = "v1", Kind = "Event", Plural = "events", Namespaced = true, ShortNames = ["ev"],
            StorageGroup = "", StorageApiVersion = "v1", Converter = EventConverter.Instance,
            SelectableFields = ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "reason", "reportingComponent", "type"],
            Columns = [Path("Type", ".type"), Path("Reason", ".reason"), Computed("Object", o => $"{((string?)o["regarding"]?["kind"])?.ToLowerInvariant()}/{o["regarding"]?["name"]}"), Path("Note", ".note")],
        },
        new()
        {
            Group = "", Version = "v1", Kind = "ConfigMap", Plural = "configmaps", Namespaced = true, ShortNames = ["cm"],
            Columns = [Computed("Data", o => Count(o["data"]) + Count(o["binaryData"]), "integer"), Age()],
        },
        new()
        {
            Group = "", Version = "v1", Kind = "Secret", Plural = "secrets", Namespaced = true, SelectableFields = ["type"],
            Columns = [Path("Type", ".type"), Computed("Data", o => Count(o["data"]), "integer"), Age()],
        },
        new()
        {
            Group = "", Version = "v1", Kind = "Service", Plural = "services", Namespaced = true, ShortNames = ["svc"], Categories = ["all"],
            HasStatusSubresource = true,
            Columns = [Path("Type", ".spec.type"), Path("Cluster-IP", ".spec.clusterIP"),
                Computed("Port(s)", o => string.Join(",", (o["spec"]?["ports"] as JsonArray ?? []).Select(p => $"{p?["port"]}/{(string?)p?["protocol"] ?? "TCP"}"))), Age()],
        },
        new()
        {
            Group = "", Version = "v1", Kind = "ServiceAccount", Plural = "serviceaccounts", Namespaced = true, ShortNames = ["sa"],
            Columns = [Computed("Secrets", o => Count(o["secrets"]), "integer"), Age()],
        },
        new()
        {
            Group = "apps", Version = "v1", Kind = "DaemonSet", Plural = "daemonsets", Namespaced = true, ShortNames = ["ds"], Categories = ["all"],
            HasStatusSubresource = true, HasGeneration = true,
            Columns = [Path("Desired", ".status.desiredNumberScheduled", "integer"), Path("Current", ".status.currentNumberScheduled", "integer"),
                Path("Ready", ".status.numberReady", "integer"), Path("Up-to-date", ".status.updatedNumberScheduled", "integer"),
                Path("Available", ".status.numberAvailable", "integer"), Age()],
        },
        new()
        {
            Group = "apps", Version = "v1", Kind = "Deployment", Plural = "deployments", Namespaced = true, ShortNames = ["deploy"], Categories = ["all"],
            HasStatusSubresource = true, HasGeneration = true,
            Columns = [Computed("Ready", o => $"{(int?)o["status"]?["readyReplicas"] ?? 0}/{(int?)o["spec"]?["replicas"] ?? 1}"),
                Path("Up-to-date", ".status.updatedReplicas", "integer"), Path("Available", ".status.availableReplicas", "integer"), Age()],
        },
        new()
        {
            Group = "apps", Version = "v1", Kind = "ControllerRevision", Plural = "controllerrevisions", Namespaced = true,
            Columns = [Computed("Controller", o => (o["metadata"]?["ownerReferences"] as JsonArray)?.FirstOrDefault() is JsonObject owner ? $"{((string?)owner["kind"])?.ToLowerInvariant()}.{((string?)owner["apiVersion"])?.Split('/')[0]}/{owner["name"]}" : null),
                Path("Revision", ".revision", "integer"), Age()],
        },
        new()
        {
            Group = "coordination.k8s.io", Version = "v1", Kind = "Lease", Plural = "leases", Namespaced = true,
            Columns = [Path("Holder", ".spec.holderIdentity"), Age()],
        },
        new()
        {
            Group = "rbac.authorization.k8s.io", Version = "v1", Kind = "Role", Plural = "roles", Namespaced = true, NameIsPathSegment = true,
            Columns = [Path("Created At", ".metadata.creationTimestamp")],
        },
        new()
        {
            Group = "rbac.authorization.k8s.io", Version = "v1", Kind = "ClusterRole", Plural = "clusterroles", Namespaced = false, NameIsPathSegment = true,
            Columns = [Path("Created At", ".metadata.creationTimestamp")],
        },
        new()
        {
            Group = "rbac.authorization.k8s.io", Version = "v1", Kind = "RoleBinding", Plural = "rolebindings", Namespaced = true, NameIsPathSegment = true,
            Columns = [Computed("Role", o => $"{o["roleRef"]?["kind"]}/{o["roleRef"]?["name"]}"), Age()],
        },
        new()
        {
            Group = "rbac.authorization.k8s.io", Version = "v1", Kind = "ClusterRoleBinding", Plural = "clusterrolebindings", Namespaced = false, NameIsPathSegment = true,
            Columns = [Computed("Role", o => $"{o["roleRef"]?["kind"]}/{o["roleRef"]?["name"]}"), Age()],
        },
        new()
        {
            Group = "scheduling.k8s.io", Version = "v1", Kind = "PriorityClass", Plural = "priorityclasses", Namespaced = false, ShortNames = ["pc"],
            Columns = [Path("Value", ".value", "integer"), Computed("Global-Default", o => (bool?)o["globalDefault"] ?? false, "boolean"), Age(),
                Path("PreemptionPolicy", ".preemptionPolicy", priority: 1)],
        },
        new()
        {
            Group = "apiextensions.k8s.io", Version = "v1", Kind = "CustomResourceDefinition", Plural = "customresourcedefinitions", Namespaced = false,
            ShortNames = ["crd", "crds"], HasStatusSubresource = true, HasGeneration = true, ReturnsDeletedObject = true,
            Columns = [Path("Created At", ".metadata.creationTimestamp")],
        },
        new()
        {
            Group = "admissionregistration.k8s.io", Version = "v1", Kind = "ValidatingWebhookConfiguration", Plural = "validatingwebhookconfigurations", Namespaced = false,
            HasGeneration = true,
            Columns = [Computed("Webhooks", o => Count(o["webhooks"]), "integer"), Age()],
        },
        new()
        {
            Group = "admissionregistration.k8s.io", Version = "v1", Kind = "MutatingWebhookConfiguration", Plural = "mutatingwebhookconfigurations", Namespaced = false,
            HasGeneration = true,
            Columns = [Computed("Webhooks", o => Count(o["webhooks"]), "integer"), Age()],
        },
    ];

    private static JsonNode? NodeStatus(JsonObject node)
    {
        var ready = (node["status"]?["conditions"] as JsonArray)?.FirstOrDefault(c => (string?)c?["type"] == "Ready");
        var status = ready is null ? "Unknown" : (string?)ready["status"] == "True" ? "Ready" : "NotReady";
        return (bool?)node["spec"]?["unschedulable"] == true ? status + ",SchedulingDisabled" : status;
    }

    private static JsonNode? NodeRoles(JsonObject node)
    {
        var roles = (node["metadata"]?["labels"] as JsonObject)?
            .Where(l => l.Key.StartsWith("node-role.kubernetes.io/", StringComparison.Ordinal))
            .Select(l => l.Key["node-role.kubernetes.io/".Length..]).ToList();
        return roles is { Count: > 0 } ? string.Join(",", roles) : "<none>";
    }

    private static JsonNode? PodReady(JsonObject pod)
    {
        var total = (pod["spec"]?["containers"] as JsonArray)?.Count ?? 0;
        var ready = (pod["status"]?["containerStatuses"] as JsonArray)?.Count(c => (bool?)c?["ready"] == true) ?? 0;
        return $"{ready}/{total}";
    }
}
