using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Ops.ControllerRuntime.Client;

/// <summary>A list of custom resources as the API returns it.</summary>
public sealed class CustomResourceList<T> : IKubernetesObject<V1ListMeta>, IItems<T>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = "";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("metadata")] public V1ListMeta Metadata { get; set; } = new();
    [JsonPropertyName("items")] public IList<T> Items { get; set; } = [];
}
