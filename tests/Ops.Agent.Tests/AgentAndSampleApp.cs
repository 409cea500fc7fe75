using System.Net;
using Ops.TestSupport;

namespace Ops.Agent.Tests;

/// <summary>
/// A test class's world: a real agent over mTLS and the sample .NET app as a process of its own, started before each test
/// and stopped after it; and the app's /chaos faults, asked for and checked as accepted.
/// </summary>
public abstract class AgentAndSampleApp : IAsyncLifetime
{
    protected CancellationToken Ct { get; } = TestContext.Current.CancellationToken;
    protected AgentHarness Harness { get; } = new();
    protected TestAgent Agent { get; private set; } = null!;
    protected SampleAppProcess App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Agent = await Harness.StartAgentAsync();
        App = await SampleAppProcess.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Harness.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected async Task ChaosAsync(string pathAndQuery)
    {
        var (status, body) = await App.SendAsync(HttpMethod.Post, pathAndQuery, Ct);
        Assert.True(status == HttpStatusCode.Accepted, $"{pathAndQuery}: {(int)status} {body}");
    }
}
