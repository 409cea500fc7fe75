using k8s;

namespace Ops.KubectlPlugin.Output;

/// <summary>-o yaml and -o json: the object as the API server returned it, for scripts.</summary>
public static class ObjectPrinter
{
    public static readonly string[] Formats = ["table", "yaml", "json"];

    /// <summary>Writes the object when the format asks for it; false for a table, which the verb draws itself.</summary>
    public static bool TryWrite(TextWriter writer, string format, object obj)
    {
        switch (format)
        {
            case "json":
                writer.WriteLine(KubernetesJson.Serialize(obj));
                return true;
            case "yaml":
                writer.Write(KubernetesYaml.Serialize(obj));
                return true;
            default:
                return false;
        }
    }
}
