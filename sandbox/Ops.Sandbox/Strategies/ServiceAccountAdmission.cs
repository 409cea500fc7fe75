using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ops.Sandbox.Api;
using Ops.Sandbox.Storage;

namespace Ops.Sandbox.Strategies;

/// <summary>
/// The ServiceAccount admission plugin on pod creation: the pod's account must exist, and unless the pod or its
/// account sets automountServiceAccountToken: false, the pod gets a projected volume kube-api-access-XXXXX (a
/// bound token the kubelet requests for 3607 s, the namespace's kube-root-ca.crt as ca.crt, and the namespace)
/// mounted read-only in every container at /var/run/secrets/kubernetes.io/serviceaccount.
/// </summary>
internal static class ServiceAccountAdmission
{
    public const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
    private static readonly string[] ContainerLists = ["initContainers", "containers"];

    public static void Admit(JsonObject pod, ObjectStore store)
    {
        if (pod["spec"] is not JsonObject spec) return;
        var ns = (string?)pod["metadata"]?["namespace"] ?? "";
        var name = (string?)spec["serviceAccountName"] ?? "default";
        var account = store.Get("serviceaccounts", StoredObject.KeyOf(ns, name))?.Parse()
            ?? throw ApiException.Forbidden($"pods \"{(string?)pod["metadata"]?["name"] ?? (string?)pod["metadata"]?["generateName"]}\" is forbidden: error looking up service account {ns}/{name}: serviceaccount \"{name}\" not found");
        var automount = (bool?)spec["automountServiceAccountToken"] ?? (bool?)account["automountServiceAccountToken"] ?? true;
        var containers = ContainerLists.SelectMany(k => spec[k] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (!automount || containers.Any(c => (c["volumeMounts"] as JsonArray ?? []).Any(m => (string?)m?["mountPath"] == MountPath))) return;
        var volume = "kube-api-access-" + Suffix();
        if (spec["volumes"] is not JsonArray volumes) spec["volumes"] = volumes = [];
        volumes.Add(new JsonObject
        {
            ["name"] = volume,
            ["projected"] = new JsonObject
            {
                ["defaultMode"] = 420,
                ["sources"] = new JsonArray(
                    new JsonObject { ["serviceAccountToken"] = new JsonObject { ["expirationSeconds"] = Security.ServiceAccountTokens.KubeletExpirationSeconds, ["path"] = "token" } },
                    new JsonObject { ["configMap"] = new JsonObject { ["name"] = Controllers.NamespaceController.RootCaConfigMap, ["items"] = new JsonArray(new JsonObject { ["key"] = "ca.crt", ["path"] = "ca.crt" }) } },
                    new JsonObject { ["downwardAPI"] = new JsonObject { ["items"] = new JsonArray(new JsonObject { ["path"] = "namespace", ["fieldRef"] = new JsonObject { ["apiVersion"] = "v1", ["fieldPath"] = "metadata.namespace" } }) } }),
            },
        });
        foreach (var container in containers)
        {
            if (container["volumeMounts"] is not JsonArray mounts) container["volumeMounts"] = mounts = [];
            mounts.Add(new JsonObject { ["name"] = volume, ["readOnly"] = true, ["mountPath"] = MountPath });
        }
    }

    private static string Suffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return new string([.. Enumerable.Range(0, 5).Select(_ => alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)])]);
    }
}
