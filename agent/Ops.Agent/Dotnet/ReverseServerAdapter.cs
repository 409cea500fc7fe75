using System.Reflection;
using Microsoft.Diagnostics.NETCore.Client;

namespace Ops.Agent.Dotnet;

/// <summary>
/// The one place that reaches into Microsoft.Diagnostics.NETCore.Client's internals: its reverse server
/// (the agent listens, the runtime connects, DOTNET_DiagnosticPorts) and the client constructor that
/// takes one of its endpoints are internal in 0.2.750501, the version pinned in Directory.Packages.props.
/// A package update that changes them fails the listen-mode tests, not production at random.
/// </summary>
internal sealed class ReverseServerAdapter : IAsyncDisposable
{
    private const string Namespace = "Microsoft.Diagnostics.NETCore.Client.";
    private static readonly Assembly Package = typeof(DiagnosticsClient).Assembly;
    private static readonly Type ServerType = Package.GetType(Namespace + "ReversedDiagnosticsServer", throwOnError: true)!;
    private static readonly Type EndpointInfoType = Package.GetType(Namespace + "IpcEndpointInfo", throwOnError: true)!;
    private static readonly Type EndpointType = Package.GetType(Namespace + "IpcEndpoint", throwOnError: true)!;
    private static readonly MethodInfo Accept = ServerType.GetMethod("AcceptAsync", [typeof(CancellationToken)]) ?? throw Missing("ReversedDiagnosticsServer.AcceptAsync(CancellationToken)");
    private static readonly MethodInfo RemoveConnection = ServerType.GetMethod("RemoveConnection", [typeof(Guid)]) ?? throw Missing("ReversedDiagnosticsServer.RemoveConnection(Guid)");
    private static readonly ConstructorInfo ClientConstructor = typeof(DiagnosticsClient).GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, [EndpointType])
        ?? throw Missing("DiagnosticsClient(IpcEndpoint)");

    private readonly object _server;

    /// <summary>Listens on a Unix socket at <paramref name="path"/> for runtimes to connect to.</summary>
    public ReverseServerAdapter(string path)
    {
        _server = Activator.CreateInstance(ServerType, path) ?? throw Missing("ReversedDiagnosticsServer(string)");
        (ServerType.GetMethod("Start", Type.EmptyTypes) ?? throw Missing("ReversedDiagnosticsServer.Start()")).Invoke(_server, null);
    }

    /// <summary>The next runtime that connects: its pid (inside its own pid namespace), its instance cookie, and its endpoint.</summary>
    public async Task<(int ProcessId, Guid Cookie, object Endpoint)> AcceptAsync(CancellationToken cancellationToken)
    {
        var task = (Task)Accept.Invoke(_server, [cancellationToken])!;
        await task;
        var info = task.GetType().GetProperty("Result")!.GetValue(task)!;
        return ((int)EndpointInfoType.GetProperty("ProcessId")!.GetValue(info)!, (Guid)EndpointInfoType.GetProperty("RuntimeInstanceCookie")!.GetValue(info)!,
            EndpointInfoType.GetProperty("Endpoint")!.GetValue(info)!);
    }

    /// <summary>Forgets a runtime that is gone.</summary>
    public void Remove(Guid cookie) => RemoveConnection.Invoke(_server, [cookie]);

    /// <summary>A client that talks to the runtime behind an accepted endpoint.</summary>
    public static DiagnosticsClient ClientFor(object endpoint) => (DiagnosticsClient)ClientConstructor.Invoke([endpoint]);

    public async ValueTask DisposeAsync() => await (ValueTask)ServerType.GetMethod("DisposeAsync", Type.EmptyTypes)!.Invoke(_server, null)!;

    private static MissingMemberException Missing(string member) => new($"Microsoft.Diagnostics.NETCore.Client no longer has the internal {member} the listen-mode adapter needs; check the pinned package version");
}
