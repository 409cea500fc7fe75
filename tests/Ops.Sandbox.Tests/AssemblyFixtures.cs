using Ops.TestSupport;

[assembly: AssemblyFixture(typeof(SandboxFixture))]
