namespace Ops.Sandbox.Security;

/// <summary>
/// The default ClusterRoles and bindings an API server creates at start (labelled kubernetes.io/bootstrapping:
/// rbac-defaults), those a cluster's users rely on: cluster-admin for system:masters, discovery and the public
/// info paths for every authenticated user, and self access reviews (kubectl auth can-i) for everyone. The
/// aggregated admin, edit and view roles are not among them.
/// </summary>
internal static class BootstrapPolicy
{
    public const string Yaml = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: cluster-admin
          labels: {kubernetes.io/bootstrapping: rbac-defaults}
        rules:
          - apiGroups: ["*"]
            resources: ["*"]
            verbs: ["*"]
          - nonResourceURLs: ["*"]
            verbs: ["*"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: cluster-admin
          labels: {kubernetes.io/bootstrapping: rbac-defaults}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
        subjects:
          - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:masters"}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: system:discovery
          labels: {kubernetes.io/bootstrapping: rbac-defaults}
        rules:
          - nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"]
            verbs: ["get"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: system:discovery
          labels: {kubernetes.io/bootstrapping: rbac-defaults}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:discovery"}
        subjects:
          - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: system:basic-user
          labels: {kubernetes.io/bootstrapping: rbac-defaults}
        rules:
          - apiGroups: ["authorization.k8s.io"]
            resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]
            verbs: ["create"]
          - apiGroups: ["authentication.k8s.io"]
            resources: ["selfsubjectreviews"]
            verbs: ["create"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: system:basic-user
          labels: {kubernetes.io/bootstrapping: rbac-defaults}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:basic-user"}
        subjects:
          - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: system:public-info-viewer
          labels: {kubernetes.io/bootstrapping: rbac-defaults}
        rules:
          - nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"]
            verbs: ["get"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: system:public-info-viewer
          labels: {kubernetes.io/bootstrapping: rbac-defaults}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:public-info-viewer"}
        subjects:
          - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}
          - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:unauthenticated"}
        """;
}
