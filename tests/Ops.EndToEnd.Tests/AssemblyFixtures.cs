using Ops.TestSupport;

[assembly: AssemblyFixture(typeof(ClusterFixture))]
