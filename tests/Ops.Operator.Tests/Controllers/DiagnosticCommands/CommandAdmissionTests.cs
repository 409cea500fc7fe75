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
    private readonly HashSet<string> _deleted = [];
    private readonly CommandAdmission _admission;

    public CommandAdmissionTests()
    {
        var trigger = new ReconcileTrigger<V1Alpha1DiagnosticCommand>();
        trigger.Attach(_woken.Add);
        // No fan-out runs in these tests: only the places of commands still starting count.
        _admission = new(new CommandRuns(null!, null!, trigger, TimeProvider.System, NullLogger<CommandRuns>.Instance), trigger, key => !_deleted.Contains(key.Name));
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
    public void A_freed_place_wakes_the_first_command_queued_in_its_namespace_and_only_it()
    {
        var (held, _) = Enter("shop", "a", limit: 1);
        Enter("shop", "b", limit: 1);
        Enter("shop", "c", limit: 1);
        Enter("shop", "b", limit: 1); // looked again on its own: keeps its turn
        Enter("shop", "gone", limit: 1);
        var (other, _) = Enter("web", "d", limit: 1);

        other!.Dispose();
        Assert.Empty(_woken);
        held!.Dispose();

        Assert.Equal([new NamespacedName("shop", "b")], _woken);
        var (next, _) = Enter("shop", "b", limit: 1);
        Assert.NotNull(next);
        _woken.Clear();
        next!.Dispose();
        Assert.Equal([new NamespacedName("shop", "c")], _woken);
        _deleted.Add("gone");
        var (third, _) = Enter("shop", "c", limit: 1);
        Enter("shop", "e", limit: 1);
        _woken.Clear();
        third!.Dispose();
        Assert.Equal([new NamespacedName("shop", "e")], _woken); // a deleted command is passed over
    }
}
