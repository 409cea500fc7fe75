using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json.Serialization;
using k8s.Models;
using Ops.Operator.Api.Schema;

namespace Ops.Operator.Manifests;

/// <summary>
/// Builds an OpenAPI v3 structural schema from an API type: properties from [JsonPropertyName],
/// descriptions from documentation comments, validation from DataAnnotations and our schema attributes. Properties are sorted by name so the
/// generated YAML is byte-for-byte stable.
/// </summary>
internal static class SchemaBuilder
{
    // Fields the Kubernetes API marks required on the few upstream types our API embeds.
    private static readonly Dictionary<Type, string[]> UpstreamRequired = new()
    {
        [typeof(V1LabelSelectorRequirement)] = ["key", "operator"],
        [typeof(V1Condition)] = ["type", "status", "lastTransitionTime", "reason", "message"],
    };

    public static V1JSONSchemaProps ForType(Type type, DocumentationComments docs)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string)) return new V1JSONSchemaProps { Type = "string" };
        if (underlying == typeof(bool)) return new V1JSONSchemaProps { Type = "boolean" };
        if (underlying == typeof(int)) return new V1JSONSchemaProps { Type = "integer", Format = "int32" };
        if (underlying == typeof(long)) return new V1JSONSchemaProps { Type = "integer", Format = "int64" };
        if (underlying == typeof(double)) return new V1JSONSchemaProps { Type = "number" };
        if (underlying == typeof(DateTime)) return new V1JSONSchemaProps { Type = "string", Format = "date-time" };
        if (underlying == typeof(V1ObjectMeta)) return new V1JSONSchemaProps { Type = "object" };
        if (underlying == typeof(IntOrString)) return IntOrStringSchema(null);
        if (DictionaryValueType(underlying) is { } valueType)
        {
            return new V1JSONSchemaProps { Type = "object", AdditionalProperties = ForType(valueType, docs) };
        }
        if (underlying.IsGenericType && typeof(IEnumerable).IsAssignableFrom(underlying))
        {
            return new V1JSONSchemaProps { Type = "array", Items = ForType(underlying.GetGenericArguments()[0], docs) };
        }
        return ForObject(underlying, docs);
    }

    private static V1JSONSchemaProps ForObject(Type type, DocumentationComments docs)
    {
        var properties = new SortedDictionary<string, V1JSONSchemaProps>(StringComparer.Ordinal);
        var required = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var jsonName = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name;
            if (jsonName is null) continue;
            properties[jsonName] = ForProperty(property, docs);
            if (property.GetCustomAttribute<RequiredAttribute>() is not null) required.Add(jsonName);
        }
        if (UpstreamRequired.TryGetValue(type, out var upstream)) required.UnionWith(upstream);

        return new V1JSONSchemaProps
        {
            Type = "object",
            Description = docs.Of(type),
            Properties = new Dictionary<string, V1JSONSchemaProps>(properties),
            Required = required.Count > 0 ? [.. required] : null,
        };
    }

    private static V1JSONSchemaProps ForProperty(PropertyInfo property, DocumentationComments docs)
    {
        var intOrString = property.GetCustomAttribute<IntOrStringAttribute>();
        var schema = intOrString is not null ? IntOrStringSchema(intOrString.StringPattern) : ForType(property.PropertyType, docs);
        var isArray = schema.Type == "array";

        schema.Description = docs.Of(property) ?? schema.Description;
        if (property.GetCustomAttribute<DefaultAttribute>() is { } @default) schema.DefaultProperty = @default.Value;
        if (property.GetCustomAttribute<AllowedValuesAttribute>() is { } allowed) schema.EnumProperty = [.. allowed.Values.Cast<object>()];
        if (property.GetCustomAttribute<RegularExpressionAttribute>() is { } regex) schema.Pattern = regex.Pattern;
        if (property.GetCustomAttribute<RangeAttribute>() is { } range)
        {
            schema.Minimum = Convert.ToDouble(range.Minimum);
            schema.Maximum = Convert.ToDouble(range.Maximum);
        }
        if (property.GetCustomAttribute<MinLengthAttribute>() is { } min)
        {
            if (isArray) schema.MinItems = min.Length; else schema.MinLength = min.Length;
        }
        if (property.GetCustomAttribute<MaxLengthAttribute>() is { } max)
        {
            if (isArray) schema.MaxItems = max.Length; else schema.MaxLength = max.Length;
        }
        if (property.GetCustomAttribute<MapValueMaxLengthAttribute>() is { } mapValue && schema.AdditionalProperties is V1JSONSchemaProps values)
        {
            values.MaxLength = mapValue.MaxLength;
        }
        if (property.GetCustomAttribute<ItemPatternAttribute>() is { } item && schema.Items is V1JSONSchemaProps items)
        {
            (items.Pattern, items.MaxLength) = (item.Pattern, item.MaxLength);
        }
        return schema;
    }

    private static Type? DictionaryValueType(Type type)
    {
        static bool IsDictionary(Type t) => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IDictionary<,>);
        var dictionary = IsDictionary(type) ? type : type.GetInterfaces().FirstOrDefault(IsDictionary);
        return dictionary?.GetGenericArguments()[1];
    }

    private static V1JSONSchemaProps IntOrStringSchema(string? stringPattern) => new()
    {
        XKubernetesIntOrString = true,
        AnyOf = [new V1JSONSchemaProps { Type = "integer" }, new V1JSONSchemaProps { Type = "string", Pattern = stringPattern }],
    };
}
