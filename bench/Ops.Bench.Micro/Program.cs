using BenchmarkDotNet.Running;

namespace Ops.Bench.Micro;

/// <summary>dotnet run -c Release --project bench/Ops.Bench.Micro -- --filter '*' (BenchmarkDotNet's own arguments).</summary>
internal static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
