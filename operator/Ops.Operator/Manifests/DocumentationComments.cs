using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Ops.Operator.Manifests;

/// <summary>
/// The summaries of documentation comments, read from the XML files the compiler writes beside each
/// assembly (ours, and KubernetesClient's for the upstream types our API embeds), as kubebuilder takes a
/// CRD's descriptions from Go comments. Tags become plain text: a cref its short name, code its content.
/// </summary>
internal sealed partial class DocumentationComments
{
    private readonly Dictionary<Assembly, IReadOnlyDictionary<string, string>> _byAssembly = [];

    public string? Of(PropertyInfo property) => Find(property.DeclaringType!.Assembly, $"P:{Name(property.DeclaringType)}.{property.Name}");

    public string? Of(Type type) => Find(type.Assembly, $"T:{Name(type)}");

    private string? Find(Assembly assembly, string id)
    {
        if (!_byAssembly.TryGetValue(assembly, out var summaries)) _byAssembly[assembly] = summaries = Load(assembly);
        return summaries.GetValueOrDefault(id);
    }

    /// <summary>Documentation ids write a nested type's name with a dot, and a generic's arity with a backtick.</summary>
    private static string Name(Type type) => (type.IsConstructedGenericType ? type.GetGenericTypeDefinition() : type).FullName!.Replace('+', '.');

    private static Dictionary<string, string> Load(Assembly assembly)
    {
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        if (!File.Exists(path)) throw new FileNotFoundException($"the documentation file of {assembly.GetName().Name} is missing: CRD descriptions come from it", path);
        return XDocument.Load(path).Descendants("member")
            .Where(m => m.Element("summary") is not null)
            .ToDictionary(m => (string)m.Attribute("name")!, m => Text(m.Element("summary")!), StringComparer.Ordinal);
    }

    private static string Text(XElement summary)
    {
        var text = string.Concat(summary.Nodes().Select(node => node switch
        {
            XElement { Name.LocalName: "see" or "seealso" } see => ShortName((string?)see.Attribute("cref") ?? (string?)see.Attribute("langword") ?? see.Value),
            XElement { Name.LocalName: "paramref" or "typeparamref" } reference => (string?)reference.Attribute("name") ?? "",
            XElement element => element.Value,
            _ => node.ToString(),
        }));
        return Spaces().Replace(System.Net.WebUtility.HtmlDecode(text), " ").Trim();
    }

    private static string ShortName(string cref) => cref[(cref.LastIndexOf('.') + 1)..];

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
