[assembly: AssemblyFixture(typeof(Ops.Images.Tests.ImagesFixture))]
