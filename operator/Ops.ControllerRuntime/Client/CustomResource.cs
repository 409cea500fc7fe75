using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Ops.ControllerRuntime.Client;

/// <summary>
/// A custom resource's envelope, as KubeOps' CustomKubernetesEntity: apiVersion, kind, metadata, a spec and a
/// status. A kind declares only its spec and status types (and says what they are in their own documentation).
/// </summary>
public abstract class CustomResource<TSpec, TStatus> : IKubernetesObject<V1ObjectMeta>, ISpec<TSpec>, IStatus<TStatus?>
    where TSpec : new()
    where TStatus : class
{
    protected CustomResource(string apiVersion, string kind)
    {
        ApiVersion = apiVersion;
        Kind = kind;
    }

    /// <summary>APIVersion defines the versioned schema of this representation of an object.</summary>
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; }

    /// <summary>Kind is a string value representing the REST resource this object represents.</summary>
    [JsonPropertyName("kind")] public string Kind { get; set; }

    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();

    [Required, JsonPropertyName("spec")] public TSpec Spec { get; set; } = new();

    [JsonPropertyName("status")] public TStatus? Status { get; set; }
}
