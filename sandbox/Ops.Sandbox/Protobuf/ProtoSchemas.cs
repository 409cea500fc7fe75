using static Ops.Sandbox.Protobuf.ProtoKind;

namespace Ops.Sandbox.Protobuf;

/// <summary>
/// The protobuf field numbers (k8s.io/api generated.proto) of the kinds kubectl creates as protobuf against the
/// sandbox: ConfigMap, Secret, Namespace, ServiceAccount, Role, ClusterRole, their bindings, Deployment, TokenRequest
/// and the access and token reviews. A message lists only the fields a client sends; other fields are refused.
/// </summary>
internal static class ProtoSchemas
{
    private static readonly Dictionary<(string ApiVersion, string Kind), string> Kinds = new()
    {
        [("v1", "ConfigMap")] = "ConfigMap",
        [("v1", "Secret")] = "Secret",
        [("v1", "Namespace")] = "Namespace",
        [("v1", "ServiceAccount")] = "ServiceAccount",
        [("rbac.authorization.k8s.io/v1", "Role")] = "Role",
        [("rbac.authorization.k8s.io/v1", "ClusterRole")] = "ClusterRole",
        [("rbac.authorization.k8s.io/v1", "RoleBinding")] = "RoleBinding",
        [("rbac.authorization.k8s.io/v1", "ClusterRoleBinding")] = "RoleBinding",
        [("apps/v1", "Deployment")] = "Deployment",
        [("authentication.k8s.io/v1", "TokenRequest")] = "TokenRequest",
        [("authentication.k8s.io/v1", "TokenReview")] = "TokenReview",
        [("authorization.k8s.io/v1", "SelfSubjectAccessReview")] = "SelfSubjectAccessReview",
        [("authorization.k8s.io/v1", "SubjectAccessReview")] = "SubjectAccessReview",
    };

    public static string? MessageOf(string apiVersion, string kind) => Kinds.GetValueOrDefault((apiVersion, kind));

    private static ProtoField F(string name, ProtoKind kind, string? message = null) => new(name, kind, message);
    private static ProtoField P(string name, ProtoKind kind) => new(name, kind, Pointer: true);
    private static ProtoField List(string name, ProtoKind kind, string? message = null) => new(name, kind, message, Repeated: true);
    private static ProtoField Map(string name, ProtoKind value = ProtoKind.Text) => new(name, value, MapValue: value);

    public static readonly Dictionary<string, Dictionary<int, ProtoField>> Messages = new()
    {
        ["ObjectMeta"] = new()
        {
            [1] = F("name", Text), [2] = F("generateName", Text), [3] = F("namespace", Text), [4] = F("selfLink", Text), [5] = F("uid", Text),
            [6] = F("resourceVersion", Text), [7] = F("generation", Int), [8] = F("creationTimestamp", Time), [9] = F("deletionTimestamp", Time),
            [10] = P("deletionGracePeriodSeconds", Int), [11] = Map("labels"), [12] = Map("annotations"), [13] = List("ownerReferences", Message, "OwnerReference"),
            [14] = List("finalizers", Text),
        },
        ["OwnerReference"] = new() { [1] = F("kind", Text), [3] = F("name", Text), [4] = F("uid", Text), [5] = F("apiVersion", Text), [6] = P("controller", Bool), [7] = P("blockOwnerDeletion", Bool) },
        ["ConfigMap"] = new() { [1] = F("metadata", Message, "ObjectMeta"), [2] = Map("data"), [3] = Map("binaryData", Bytes), [4] = P("immutable", Bool) },
        ["Secret"] = new() { [1] = F("metadata", Message, "ObjectMeta"), [2] = Map("data", Bytes), [3] = F("type", Text), [4] = Map("stringData"), [5] = P("immutable", Bool) },
        ["Namespace"] = new() { [1] = F("metadata", Message, "ObjectMeta"), [2] = F("spec", Message, "NamespaceSpec"), [3] = F("status", Message, "NamespaceStatus") },
        ["NamespaceSpec"] = new() { [1] = List("finalizers", Text) },
        ["NamespaceStatus"] = new() { [1] = F("phase", Text) },
        ["ServiceAccount"] = new()
        {
            [1] = F("metadata", Message, "ObjectMeta"), [2] = List("secrets", Message, "ObjectReference"), [3] = List("imagePullSecrets", Message, "LocalObjectReference"),
            [4] = P("automountServiceAccountToken", Bool),
        },
        ["ObjectReference"] = new() { [1] = F("kind", Text), [2] = F("namespace", Text), [3] = F("name", Text), [4] = F("uid", Text), [5] = F("apiVersion", Text), [6] = F("resourceVersion", Text), [7] = F("fieldPath", Text) },
        ["LocalObjectReference"] = new() { [1] = F("name", Text) },
        ["Role"] = new() { [1] = F("metadata", Message, "ObjectMeta"), [2] = List("rules", Message, "PolicyRule") },
        ["ClusterRole"] = new() { [1] = F("metadata", Message, "ObjectMeta"), [2] = List("rules", Message, "PolicyRule"), [3] = F("aggregationRule", Message, "AggregationRule") },
        ["AggregationRule"] = new() { [1] = List("clusterRoleSelectors", Message, "LabelSelector") },
        ["PolicyRule"] = new() { [1] = List("verbs", Text), [2] = List("apiGroups", Text), [3] = List("resources", Text), [4] = List("resourceNames", Text), [5] = List("nonResourceURLs", Text) },
        ["RoleBinding"] = new() { [1] = F("metadata", Message, "ObjectMeta"), [2] = List("subjects", Message, "Subject"), [3] = F("roleRef", Message, "RoleRef") },
        ["Subject"] = new() { [1] = F("kind", Text), [2] = F("apiGroup", Text), [3] = F("name", Text), [4] = F("namespace", Text) },
        ["RoleRef"] = new() { [1] = F("apiGroup", Text), [2] = F("kind", Text), [3] = F("name", Text) },
        ["LabelSelector"] = new() { [1] = Map("matchLabels"), [2] = List("matchExpressions", Message, "LabelSelectorRequirement") },
        ["LabelSelectorRequirement"] = new() { [1] = F("key", Text), [2] = F("operator", Text), [3] = List("values", Text) },
        ["Deployment"] = new() { [1] = F("metadata", Message, "ObjectMeta"), [2] = F("spec", Message, "DeploymentSpec"), [3] = F("status", Message, "DeploymentStatus") },
        ["DeploymentSpec"] = new()
        {
            [1] = P("replicas", Int), [2] = F("selector", Message, "LabelSelector"), [3] = F("template", Message, "PodTemplateSpec"), [4] = F("strategy", Message, "DeploymentStrategy"),
            [5] = F("minReadySeconds", Int), [6] = P("revisionHistoryLimit", Int), [7] = F("paused", Bool), [9] = P("progressDeadlineSeconds", Int),
        },
        ["DeploymentStrategy"] = new() { [1] = F("type", Text), [2] = F("rollingUpdate", Message, "RollingUpdateDeployment") },
        ["RollingUpdateDeployment"] = new() { [1] = F("maxUnavailable", IntOrString), [2] = F("maxSurge", IntOrString) },
        ["DeploymentStatus"] = new() { [1] = F("observedGeneration", Int), [2] = F("replicas", Int) },
        ["PodTemplateSpec"] = new() { [1] = F("metadata", Message, "ObjectMeta"), [2] = F("spec", Message, "PodSpec") },
        ["PodSpec"] = new()
        {
            [2] = List("containers", Message, "Container"), [3] = F("restartPolicy", Text), [4] = P("terminationGracePeriodSeconds", Int), [6] = F("dnsPolicy", Text),
            [7] = Map("nodeSelector"), [8] = F("serviceAccountName", Text), [10] = F("nodeName", Text), [11] = F("hostNetwork", Bool), [12] = F("hostPID", Bool),
            [19] = F("schedulerName", Text), [20] = List("initContainers", Message, "Container"), [21] = P("automountServiceAccountToken", Bool),
        },
        ["Container"] = new()
        {
            [1] = F("name", Text), [2] = F("image", Text), [3] = List("command", Text), [4] = List("args", Text), [5] = F("workingDir", Text),
            [6] = List("ports", Message, "ContainerPort"), [7] = List("env", Message, "EnvVar"), [8] = F("resources", Message, "ResourceRequirements"),
            [13] = F("terminationMessagePath", Text), [16] = F("stdin", Bool), [17] = F("stdinOnce", Bool), [18] = F("tty", Bool), [14] = F("imagePullPolicy", Text), [20] = F("terminationMessagePolicy", Text),
        },
        ["ContainerPort"] = new() { [1] = F("name", Text), [2] = F("hostPort", Int), [3] = F("containerPort", Int), [4] = F("protocol", Text), [5] = F("hostIP", Text) },
        ["EnvVar"] = new() { [1] = F("name", Text), [2] = F("value", Text) },
        ["ResourceRequirements"] = new() { [1] = Map("limits", Quantity), [2] = Map("requests", Quantity) },
        ["TokenRequest"] = new() { [1] = F("metadata", Message, "ObjectMeta"), [2] = F("spec", Message, "TokenRequestSpec") },
        ["TokenRequestSpec"] = new() { [1] = List("audiences", Text), [3] = F("boundObjectRef", Message, "BoundObjectReference"), [4] = P("expirationSeconds", Int) },
        ["BoundObjectReference"] = new() { [1] = F("kind", Text), [2] = F("apiVersion", Text), [3] = F("name", Text), [4] = F("uid", Text) },
        ["TokenReview"] = new() { [1] = F("metadata", Message, "ObjectMeta"), [2] = F("spec", Message, "TokenReviewSpec") },
        ["TokenReviewSpec"] = new() { [1] = F("token", Text), [2] = List("audiences", Text) },
        ["SelfSubjectAccessReview"] = new() { [1] = F("metadata", Message, "ObjectMeta"), [2] = F("spec", Message, "SelfSubjectAccessReviewSpec") },
        ["SelfSubjectAccessReviewSpec"] = new() { [1] = F("resourceAttributes", Message, "ResourceAttributes"), [2] = F("nonResourceAttributes", Message, "NonResourceAttributes") },
        ["SubjectAccessReview"] = new() { [1] = F("metadata", Message, "ObjectMeta"), [2] = F("spec", Message, "SubjectAccessReviewSpec") },
        ["SubjectAccessReviewSpec"] = new()
        {
            [1] = F("resourceAttributes", Message, "ResourceAttributes"), [2] = F("nonResourceAttributes", Message, "NonResourceAttributes"), [3] = F("user", Text),
            [4] = List("groups", Text), [6] = F("uid", Text),
        },
        ["ResourceAttributes"] = new()
        {
            [1] = F("namespace", Text), [2] = F("verb", Text), [3] = F("group", Text), [4] = F("version", Text), [5] = F("resource", Text),
            [6] = F("subresource", Text), [7] = F("name", Text),
        },
        ["NonResourceAttributes"] = new() { [1] = F("path", Text), [2] = F("verb", Text) },
    };
}
