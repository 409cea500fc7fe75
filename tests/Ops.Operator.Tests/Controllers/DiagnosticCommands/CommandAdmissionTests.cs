using Microsoft.Extensions.Logging.Abstractions;
using Ops.ControllerRuntime.Controllers;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;

namespace Ops.Operator.Tests.Controllers.DiagnosticCommands;

/// <summary>Commands starting together take the places of a namespace's limit one each, and give them back.</summary>
public sealed class CommandAdmissionTests
{
    // No fan-out runs in these tests: only the places of commands still starting count.
    private readonly CommandAdmission _admission = new(new CommandRuns(null!, null!, new ReconcileTrigger<V1Alpha1DiagnosticCommand>(), TimeProvider.System, NullLogger<CommandRuns>.Instance));

    [Fact]
    public void A_namespace_at_its_limit_makes_the_next_command_wait_until_a_place_is_given_back()
    {
        var (first, _) = _admission.TryEnter("shop", "a", limit: 2);
        var (second, _) = _admission.TryEnter("shop", "b", limit: 2);
        var (third, running) = _admission.TryEnter("shop", "c", limit: 2);
        var (elsewhere, _) = _admission.TryEnter("web", "d", limit: 2);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(third);
        Assert.Equal(2, running);
        Assert.NotNull(elsewhere);

        first!.Dispose();
        var (again, before) = _admission.TryEnter("shop", "c", limit: 2);
        Assert.NotNull(again);
        Assert.Equal(1, before);
    }

    [Fact]
    public void A_command_tried_again_does_not_count_against_itself()
    {
        var (held, _) = _admission.TryEnter("shop", "a", limit: 1);

        var (retried, running) = _admission.TryEnter("shop", "a", limit: 1);

        Assert.NotNull(held);
        Assert.NotNull(retried);
        Assert.Equal(0, running);
    }
}
