using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ops.Sandbox.Api;
using Ops.Sandbox.Containers;
using Ops.Sandbox.Controllers;
using Ops.Sandbox.Http;
using Ops.Sandbox.Nodes;
using Ops.Sandbox.Patching;
using Ops.Sandbox.Processes;
using Ops.Sandbox.Security;
using Ops.Sandbox.Storage;
using Ops.Sandbox.Strategies;

namespace Ops.Sandbox.Hosting;

/// <summary>
/// An embedded Kubernetes API server on 127.0.0.1 over HTTPS with its own CA and a bearer token,
/// for the local demo and the integration tests. Production code only ever sees its kubeconfig.
/// </summary>
public sealed partial class SandboxServer : IAsyncDisposable
{
    private static readonly string[] DefaultNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    private readonly WebApplication _app;
    private readonly SandboxCertificates _certificates;
    private readonly StateJournal? _journal;

    private SandboxServer(WebApplication app, SandboxCertificates certificates, StateJournal? journal, string token, Uri url, string kubeconfigPath)
    {
        _app = app;
        _certificates = certificates;
        _journal = journal;
        Token = token;
        Url = url;
        KubeconfigPath = kubeconfigPath;
    }

    public Uri Url { get; }
    public string Token { get; }
    public string KubeconfigPath { get; }

    /// <summary>The distinct API calls clients made, by User-Agent (to check RBAC rules against).</summary>
    public AccessLog Accesses => _app.Services.GetRequiredService<AccessLog>();
    public string CaPem => _certificates.CaPem;
    /// <summary>Cancelled when the server begins to stop (SIGTERM, Ctrl+C, or disposal).</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <summary>Watches open right now, the sandbox's own controller watch included (for leak checks).</summary>
    public int OpenWatches => Service.Store.WatcherCount;

    /// <summary>The sandbox's own containerd under the containerd runtime; null under the process runtime.</summary>
    public ContainerdDaemon? Containerd => _app.Services.GetService<ContainerdDaemon>();

    /// <summary>The simulated nodes (none unless asked for).</summary>
    public IReadOnlyList<SimulatedNode> Nodes => _app.Services.GetRequiredService<Kubelet>().Nodes;

    internal ResourceService Service => _app.Services.GetRequiredService<ResourceService>();

    public static async Task<SandboxServer> StartAsync(SandboxOptions options, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        var clock = TimeProvider.System;
        var workspace = SandboxWorkspace.Create();
        var containerd = await NodeRuntimes.StartContainerdAsync(options, workspace, logging, cancellationToken);
        var certificates = SandboxCertificates.LoadOrCreate(options.DataDirectory is null ? null : Path.Combine(options.DataDirectory, "pki"), clock);
        var token = options.Token ?? AdminToken.LoadOrCreate(options.DataDirectory);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // A failed start (port in use) is reported by the caller; the host must not log it twice.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        if (logging is not null) logging(builder.Logging);
        var connections = new ApiConnections();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = ApiEndpoint.MaxBodyBytes * 2L;
            kestrel.Listen(IPAddress.Loopback, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.Use(connections.Track);
                listen.UseHttps(certificates.Server);
            });
        });
        var store = new ObjectStore(options.HistoryCapacity, options.WatcherCapacity);
        var catalog = new ResourceCatalog();
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(workspace);
        services.AddSingleton(connections);
        services.AddSingleton(clock);
        services.AddSingleton(store);
        services.AddSingleton(catalog);
        services.AddSingleton<ListSnapshots>();
        services.AddSingleton<IResourceStrategy, NamespaceStrategy>();
        services.AddSingleton<IResourceStrategy, PodStrategy>();
        services.AddSingleton<IResourceStrategy, CrdStrategy>();
        services.AddSingleton<IResourceStrategy, ServiceStrategy>();
        services.AddSingleton<IResourceStrategy, SecretStrategy>();
        services.AddSingleton<ResourceService>();
        services.AddSingleton<WatchStreamer>();
        services.AddSingleton<PodLogs>();
        services.AddSingleton<ScaleSubresource>();
        services.AddSingleton<Admission.WebhookCaller>();
        services.AddSingleton<Admission.AdmissionChain>();
        services.AddSingleton<AdmittedWrites>();
        services.AddSingleton<ApiEndpoint>();
        var serviceAccountKey = ServiceAccountTokens.LoadOrCreateKey(options.DataDirectory is null ? null : Path.Combine(options.DataDirectory, "pki"));
        var serviceAccountTokens = new ServiceAccountTokens(store, clock, serviceAccountKey);
        services.AddSingleton(serviceAccountTokens);
        services.AddSingleton(certificates);
        services.AddSingleton<TokenRequests>();
        var identity = new SandboxIdentity(token, serviceAccountTokens);
        services.AddSingleton(identity);
        services.AddSingleton<RbacAuthorizer>();
        services.AddSingleton<AccessReviews>();
        services.AddSingleton<AccessLog>();
        services.AddSingleton<ISandboxController, GarbageCollector>();
        services.AddSingleton<ISandboxController, NamespaceController>();
        services.AddSingleton<ISandboxController, CrdController>();
        services.AddSingleton<WorkloadController>();
        services.AddSingleton<ISandboxController>(sp => sp.GetRequiredService<WorkloadController>());
        services.AddHostedService(sp => sp.GetRequiredService<WorkloadController>());
        services.AddSingleton<ApiServerLocation>();
        NodeRuntimes.Add(services, options, containerd, workspace);
        services.AddSingleton<Kubelet>();
        services.AddSingleton<ISandboxController>(sp => sp.GetRequiredService<Kubelet>());
        services.AddHostedService<ControllerHost>();
        services.AddHostedService<BookmarkTicker>();

        StateJournal? journal = null;
        if (options.DataDirectory is not null)
        {
            journal = StateJournal.Open(Path.Combine(options.DataDirectory, "state"), store, key => catalog.ForStorage(key)?.SelectableFields ?? SelectableFieldsOfBuiltIn(key));
            catalog.Load(store.Snapshot().Of(BuiltInResources.CrdStorageKey).Values);
        }
        store.AddObserver(catalog);
        if (journal is not null) store.AddObserver(journal);

        var app = builder.Build();
        app.UseMiddleware<BearerTokenMiddleware>(identity);
        var endpoint = app.Services.GetRequiredService<ApiEndpoint>();
        app.Run(endpoint.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            if (containerd is not null) await containerd.DisposeAsync();
            workspace.Dispose();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        var url = new Uri($"https://127.0.0.1:{port}");
        var kubeconfigPath = options.KubeconfigPath
            ?? Path.Combine(options.DataDirectory ?? workspace.Directory, "kubeconfig");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(kubeconfigPath))!);
        await File.WriteAllTextAsync(kubeconfigPath, Kubeconfig.Render(url.ToString().TrimEnd('/'), certificates.CaPem, token), cancellationToken);

        app.Services.GetRequiredService<ApiServerLocation>().Set(url);
        var server = new SandboxServer(app, certificates, journal, token, url, kubeconfigPath);
        server.EnsureDefaultNamespaces();
        // A cluster's own namespaces have their default ServiceAccount long before anyone creates a pod in them.
        var namespaces = app.Services.GetServices<ISandboxController>().OfType<NamespaceController>().Single();
        foreach (var ns in DefaultNamespaces) namespaces.EnsureDefaults(ns);
        server.ApplyYaml(BootstrapPolicy.Yaml);
        foreach (var directory in options.ManifestDirectories) server.ApplyManifests(directory);
        return server;
    }

    /// <summary>Creates or updates every object in the YAML files of a directory, in file-name order.</summary>
    public IReadOnlyList<string> ApplyManifests(string directory)
    {
        var files = Directory.GetFiles(directory, "*.yaml").Concat(Directory.GetFiles(directory, "*.yml")).Order(StringComparer.Ordinal);
        return [.. files.SelectMany(file => ApplyYaml(File.ReadAllText(file)))];
    }

    /// <summary>Creates or updates every object of a YAML stream, like <c>kubectl apply -f</c>; returns what was applied.</summary>
    public IReadOnlyList<string> ApplyYaml(string yaml) => [.. YamlJson.ParseAll(yaml).OfType<JsonObject>().Select(Apply)];

    private string Apply(JsonObject obj)
    {
        var apiVersion = (string?)obj["apiVersion"] ?? "";
        var (group, version) = apiVersion.Contains('/') ? (apiVersion.Split('/')[0], apiVersion.Split('/')[1]) : ("", apiVersion);
        var type = Service.Catalog.All.FirstOrDefault(t => t.Group == group && t.Version == version && t.Kind == (string?)obj["kind"])
            ?? throw new InvalidOperationException($"no resource serves {apiVersion} {obj["kind"]}");
        var name = (string?)obj["metadata"]?["name"] ?? throw new InvalidOperationException("a manifest has no metadata.name");
        var ns = type.Namespaced ? (string?)obj["metadata"]?["namespace"] ?? "default" : "";
        var scope = new RequestScope(type, ns, name, null);
        var existing = Service.Store.Get(type.StorageKey, scope.Key);
        if (existing is null)
        {
            Service.Create(scope with { Name = null }, obj, WriteOptions.System);
        }
        else
        {
            obj["metadata"]!["resourceVersion"] = existing.ResourceVersion.ToString();
            Service.Update(scope, obj, WriteOptions.System);
        }
        return $"{type.QualifiedPlural}/{name}";
    }

    private void EnsureDefaultNamespaces()
    {
        var type = Service.Catalog.ForStorage(BuiltInResources.NamespaceStorageKey)!;
        foreach (var name in DefaultNamespaces.Where(n => Service.Store.Get(BuiltInResources.NamespaceStorageKey, n) is null))
        {
            Service.Create(new RequestScope(type, "", null, null), new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Namespace",
                ["metadata"] = new JsonObject { ["name"] = name },
            }, WriteOptions.System);
        }
    }

    private static IReadOnlyList<string> SelectableFieldsOfBuiltIn(string storageKey) =>
        BuiltInResources.All.FirstOrDefault(t => t.StorageKey == storageKey)?.SelectableFields ?? [];

    public async ValueTask DisposeAsync()
    {
        var workspace = _app.Services.GetRequiredService<SandboxWorkspace>();
        var containerd = _app.Services.GetService<ContainerdDaemon>();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _journal?.Dispose();
        _certificates.Dispose();
        // The kubelet has removed its pods' sandboxes; this removes any left, then containerd and its files.
        if (containerd is not null) await containerd.DisposeAsync();
        // Last: the kubelet has stopped the pods; this kills what they left running and deletes the directory.
        workspace.Dispose();
    }
}
