using System.Reflection;
using k8s.Models;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Api.Schema;

namespace Ops.Operator.Manifests;

/// <summary>Turns an API type into its CustomResourceDefinition.</summary>
internal static class CrdGenerator
{
    public static V1CustomResourceDefinition Generate(Type apiType)
    {
        var entity = apiType.GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException($"{apiType.Name} has no [KubernetesEntity]", nameof(apiType));
        var schema = SchemaBuilder.ForType(apiType, new DocumentationComments());

        var columns = apiType.GetCustomAttributes<PrinterColumnAttribute>()
            .Select(c => new V1CustomResourceColumnDefinition
            {
                Name = c.Name,
                JsonPath = c.JsonPath,
                Type = c.Type,
                Description = c.Description,
                Priority = c.Priority == 0 ? null : c.Priority,
            })
            .ToList();

        return new V1CustomResourceDefinition
        {
            ApiVersion = "apiextensions.k8s.io/v1",
            Kind = "CustomResourceDefinition",
            Metadata = new V1ObjectMeta
            {
                Name = $"{entity.PluralName}.{entity.Group}",
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = "ops" },
            },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = entity.Group,
                Scope = apiType.GetCustomAttribute<ClusterScopedAttribute>() is null ? "Namespaced" : "Cluster",
                Names = new V1CustomResourceDefinitionNames
                {
                    Kind = entity.Kind,
                    ListKind = entity.Kind + "List",
                    Plural = entity.PluralName,
                    Singular = entity.Kind.ToLowerInvariant(),
                    ShortNames = apiType.GetCustomAttribute<ShortNamesAttribute>()?.Names.ToList(),
                    Categories = ["ops"],
                },
                Versions =
                [
                    new V1CustomResourceDefinitionVersion
                    {
                        Name = entity.ApiVersion,
                        Served = true,
                        Storage = true,
                        Schema = new V1CustomResourceValidation { OpenAPIV3Schema = schema },
                        Subresources = new V1CustomResourceSubresources { Status = new Dictionary<string, object>() },
                        AdditionalPrinterColumns = columns,
                    },
                ],
            },
        };
    }
}
