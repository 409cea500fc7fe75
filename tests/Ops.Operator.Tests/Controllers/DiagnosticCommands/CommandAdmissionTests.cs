using Microsoft.Extensions.Logging.Abstractions;
using Ops.ControllerRuntime.Client;
using Ops.ControllerRuntime.Controllers;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;

namespace Ops.Operator.Tests.Controllers.DiagnosticCommands;

/// <summary>Commands starting together take the places of a namespace's limit one each, give them back, and wake the ones queued.</summary>
public sealed class CommandAdmissionTests
{
    private readonly List<NamespacedName> _woken = [];
    private readonly CommandAdmission _admission;

    public CommandAdmissionTests()
    {
        var trigger = new ReconcileTrigger<V1Alpha1DiagnosticCommand>();
        trigger.Attach(_woken.Add);
        // No fan-out runs in these tests: only the places of commands still starting count.
        _admission = new(new CommandRuns(null!, null!, trigger, TimeProvider.System, NullLogger<CommandRuns>.Instance), trigger);
    }

    private (IDisposable? Place, int Running) Enter(string ns, string name, int limit) => _admission.TryEnter(new NamespacedName(ns, name), $"uid-{name}", limit);

    [Fact]
    public void A_namespace_at_its_limit_makes_the_next_command_wait_until_a_place_is_given_back()
    {
        var (first, _) = Enter("shop", "a", limit: 2);
        var (second, _) = Enter("shop", "b", limit: 2);
        var (third, running) = Enter("shop", "c", limit: 2);
        var (elsewhere, _) = Enter("web", "d", limit: 2);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(third);
        Assert.Equal(2, running);
        Assert.NotNull(elsewhere);

        first!.Dispose();
        var (again, before) = Enter("shop", "c", limit: 2);
        Assert.NotNull(again);
        Assert.Equal(1, before);
    }

    [Fact]
    public void A_command_tried_again_does_not_count_against_itself()
    {
        var (held, _) = Enter("shop", "a", limit: 1);

        var (retried, running) = Enter("shop", "a", limit: 1);

        Assert.NotNull(held);
        Assert.NotNull(retried);
        Assert.Equal(0, running);
    }

    [Fact]
    public void Commands_turned_away_are_requested_again_when_a_place_of_their_namespace_frees_and_only_then()
    {
        var (held, _) = Enter("shop", "a", limit: 1);
        Enter("shop", "b", limit: 1);
        Enter("shop", "c", limit: 1);
        var (other, _) = Enter("web", "d", limit: 1);

        other!.Dispose();
        Assert.Empty(_woken);
        held!.Dispose();

        Assert.Equal(["b", "c"], _woken.Select(k => k.Name).Order(StringComparer.Ordinal));
        var (next, _) = Enter("shop", "b", limit: 1);
        Assert.NotNull(next);
        Enter("shop", "c", limit: 1);
        _woken.Clear();
        next!.Dispose();
        Assert.Equal([new NamespacedName("shop", "c")], _woken);
    }
}
