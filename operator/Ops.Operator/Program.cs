using Ops.Operator.Manifests;

namespace Ops.Operator;

internal static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["crds", "--out", var outDirectory])
        {
            return CrdsCommand.Run(outDirectory, Console.Out);
        }
        Console.Error.WriteLine("usage: Ops.Operator crds --out DIR");
        return 2;
    }
}
