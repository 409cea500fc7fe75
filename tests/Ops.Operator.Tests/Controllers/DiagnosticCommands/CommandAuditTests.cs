using k8s.Models;
using Microsoft.Extensions.Logging;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Controllers.DiagnosticCommands;

namespace Ops.Operator.Tests.Controllers.DiagnosticCommands;

/// <summary>The audit line says who asked for what and how it ended, and never carries a secret-looking parameter.</summary>
public sealed class CommandAuditTests
{
    private sealed class Lines : ILoggerProvider, ILogger
    {
        public List<(string Category, string Text)> Written { get; } = [];
        private string _category = "";

        public ILogger CreateLogger(string categoryName) => new Lines { _category = categoryName, Shared = this };

        private Lines? Shared { get; init; }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            (Shared ?? this).Written.Add((_category, formatter(state, exception)));

        public void Dispose()
        {
        }
    }

    [Theory]
    [InlineData("password", "hunter2")]
    [InlineData("apiKey", "x")]
    [InlineData("header", "Bearer eyJhbGciOiJSUzI1NiJ9.payload.signature")]
    [InlineData("link", "https://admin:s3cr3t@db.shop.svc/")]
    [InlineData("blob", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=")]
    [InlineData("cert", "-----BEGIN PRIVATE KEY-----")]
    public void Secret_looking_parameters_are_masked(string name, string value)
    {
        var line = CommandAudit.Parameters(new Dictionary<string, string> { [name] = value, ["port"] = "8080" });

        Assert.DoesNotContain(value, line, StringComparison.Ordinal);
        Assert.Equal($$"""{"{{name}}":"***","port":"8080"}""", line);
    }

    private static readonly Operator.Admission.RequesterSeal Seal = new(() => "the operator's secret");

    [Fact]
    public void Each_start_refusal_and_end_is_one_line_under_the_audit_category()
    {
        var lines = new Lines();
        using var factory = LoggerFactory.Create(b => b.AddProvider(lines));
        var audit = new CommandAudit(factory, Seal);
        var command = new V1Alpha1DiagnosticCommand
        {
            Metadata = new V1ObjectMeta { Name = "trace-it", NamespaceProperty = "shop" },
            Spec = new() { Action = "check.http", Parameters = new Dictionary<string, string> { ["url"] = "http://u:p4ss@x/", ["port"] = "80" } },
            Status = new() { Phase = CommandPhase.Succeeded, Targets = new() { Total = 3 } },
        };

        audit.Refused(command, "PolicyDenied");
        audit.Started(command, 3);
        audit.Finished(command);

        Assert.All(lines.Written, l => Assert.Equal(CommandAudit.Category, l.Category));
        Assert.Equal(
        [
            """audit: command refused requester=unknown namespace=shop name=trace-it action=check.http parameters={"port":"80","url":"***"} targets=0 outcome=PolicyDenied artifacts=0""",
            """audit: command started requester=unknown namespace=shop name=trace-it action=check.http parameters={"port":"80","url":"***"} targets=3 outcome=Running artifacts=0""",
            """audit: command finished requester=unknown namespace=shop name=trace-it action=check.http parameters={"port":"80","url":"***"} targets=3 outcome=Succeeded artifacts=0""",
        ], lines.Written.Select(l => l.Text));
    }

    [Fact]
    public void The_line_names_the_requester_the_webhook_stamped()
    {
        var lines = new Lines();
        using var factory = LoggerFactory.Create(b => b.AddProvider(lines));
        var command = new V1Alpha1DiagnosticCommand
        {
            Metadata = new V1ObjectMeta { Name = "stacks", NamespaceProperty = "shop", Annotations = new Dictionary<string, string> { [Operator.Admission.Requester.Annotation] = Seal.Sealed("shop", new Operator.Admission.Requester("alice", ["shop-devs", "system:authenticated"])).ToAnnotation() } },
            Spec = new() { Action = "dotnet.stacks" },
        };

        new CommandAudit(factory, Seal).Started(command, 1);

        Assert.Equal("""audit: command started requester=alice (groups shop-devs, system:authenticated) namespace=shop name=stacks action=dotnet.stacks parameters={} targets=1 outcome=Running artifacts=0""", Assert.Single(lines.Written).Text);
    }
}
