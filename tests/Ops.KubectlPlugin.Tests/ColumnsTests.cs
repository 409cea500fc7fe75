using Ops.KubectlPlugin.Output;

namespace Ops.KubectlPlugin.Tests;

/// <summary>Tables as kubectl get prints them.</summary>
public sealed class ColumnsTests
{
    [Fact]
    public void Columns_are_padded_to_their_widest_cell_colour_codes_not_counted_and_the_last_cut_to_the_width()
    {
        var output = new StringWriter { NewLine = "\n" };

        Columns.Write(output, ["NAME", "PHASE", "OUTPUT"], [["a", "\u001b[32mSucceeded\u001b[0m", "short"], ["longer-name", "Failed", "a line far too long for the width"]], width: 40);

        Assert.Equal(
            "NAME          PHASE       OUTPUT\n" +
            "a             \u001b[32mSucceeded\u001b[0m   short\n" +
            "longer-name   Failed      a line far to…\n", output.ToString());
    }
}
