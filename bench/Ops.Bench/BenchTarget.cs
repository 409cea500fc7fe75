using System.Globalization;

namespace Ops.Bench;

/// <summary>A figure against its target from issue 22: printed as a table row that says whether it was met.</summary>
internal sealed record BenchTarget(string Name, double Value, string Unit, double Limit, bool AtLeast = false)
{
    public bool Met => AtLeast ? Value >= Limit : Value <= Limit;

    public static string Header => "| measurement | value | target | met |\n|---|---|---|---|";

    public string Row => string.Create(CultureInfo.InvariantCulture, $"| {Name} | {Format(Value)} {Unit} | {(AtLeast ? "≥" : "≤")} {Format(Limit)} {Unit} | {(Met ? "yes" : "**no**")} |");

    private static string Format(double value) => value >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.##", CultureInfo.InvariantCulture);
}
