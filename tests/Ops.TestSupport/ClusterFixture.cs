using k8s;
using Ops.Demo;
using Xunit;

namespace Ops.TestSupport;

/// <summary>
/// The demo cluster — sandbox, 3 nodes, agents, operator, sample workload, all real processes — shared
/// by the end-to-end tests of an assembly. The agents carry <see cref="TestSupport.MarkScript"/>, which records each
/// run in a file (to count executions), and the operator waits only briefly for a missing agent.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>script.run "mark" (<see cref="TestSupport.MarkScript"/>).</summary>
    public const string MarkScript = TestSupport.MarkScript.Name;

    /// <summary>
    /// The label of the namespaces the admission webhooks check here (value <see cref="AdmissionChecked"/>). The other
    /// namespaces stand for a cluster whose webhooks are down: what the tests create there reaches the operator, which
    /// must refuse it when it starts (the tests of conditions, bad input and policies rely on that).
    /// </summary>
    public const string AdmissionLabel = "ops.dev/admission";

    public const string AdmissionChecked = "checked";

    /// <summary>A namespace whose DiagnosticPolicy refuses heavy captures.</summary>
    public const string NoHeavyActionsNamespace = "no-heavy";

    /// <summary>
    /// The tests' DiagnosticPolicies: the namespaces tests create (<see cref="TestNamespaces"/>) may run every action on
    /// their own pods and the mark script; <see cref="NoHeavyActionsNamespace"/> only what the default allows.
    /// </summary>
    private static readonly string Policies = $"""
        apiVersion: ops.dev/v1alpha1
        kind: DiagnosticPolicy
        metadata:
          name: test-namespaces
        spec:
          namespaceSelector:
            matchLabels:
              {TestNamespaces.Label}: "true"
          actionGroups: [read-only, dotnet-light, dotnet-heavy, scripts]
          scripts: [{MarkScript}]
          maxDumpType: full
          maxTargetsPerCommand: 1000
          maxConcurrentCommands: 100
        ---
        apiVersion: ops.dev/v1alpha1
        kind: DiagnosticPolicy
        metadata:
          name: no-heavy
        spec:
          namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {NoHeavyActionsNamespace}
        """;

    private DemoCluster? _cluster;

    public DemoCluster Cluster => _cluster ?? throw new InvalidOperationException("the cluster has not started");

    public Kubernetes Client => Cluster.Client;

    public string KubeconfigPath => Cluster.Server.KubeconfigPath;

    /// <summary>
    /// How long the operator lets a target wait for a missing agent here: long enough for a killed agent to come back
    /// while the whole suite runs beside it (3 s was not, once the image and containerd suites ran in parallel: the
    /// restarted agent's target ended "not ready" instead of "restarted").
    /// </summary>
    public static readonly TimeSpan AgentGrace = TimeSpan.FromSeconds(10);

    public async ValueTask InitializeAsync()
    {
        TestWorkspace.Ensure();
        _cluster = await DemoCluster.StartAsync(new DemoOptions
        {
            CrdsDirectory = RepositoryPaths.Crds,
            AgentSettings = TestSupport.MarkScript.AgentSettings(),
            OperatorSettings = new Dictionary<string, string> { ["Operator__AgentGrace"] = AgentGrace.ToString("c") },
            ChartValues = new Dictionary<string, string>
            {
                ["platformPolicy.scripts"] = $"{{{MarkScript}}}",
                [$"admissionWebhooks.namespaceSelector.matchLabels.{AdmissionLabel.Replace(".", "\\.")}"] = AdmissionChecked,
            },
        });
        _cluster.Server.ApplyYaml(Policies);
    }

    public Task<string> CreateNamespaceAsync(string prefix = "t") => TestNamespaces.CreateAsync(Client, prefix);

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
    }
}
