using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace Ops.KubectlPlugin.Cli;

/// <summary>
/// The cluster as kubectl would reach it: the kubeconfig from --kubeconfig, else every file KUBECONFIG lists (merged,
/// the first to set a thing wins), else ~/.kube/config; the context from --context, else the current one; the namespace
/// from -n, else the context's, else "default".
/// </summary>
public sealed class KubeSession : IDisposable
{
    private KubeSession(KubernetesClientConfiguration config, string ns, string opsNamespace, IReadOnlyList<string> kubectlFlags)
    {
        Config = config;
        Namespace = ns;
        OpsNamespace = opsNamespace;
        KubectlFlags = kubectlFlags;
        Client = new Kubernetes(config);
    }

    public IKubernetes Client { get; }

    public KubernetesClientConfiguration Config { get; }

    public string Namespace { get; }

    /// <summary>Where Ops is installed (its operator's Service and CA): --ops-namespace, else ops-system.</summary>
    public string OpsNamespace { get; }

    /// <summary>The flags that point a kubectl child (port-forward) at the same cluster as this session.</summary>
    public IReadOnlyList<string> KubectlFlags { get; }

    public static KubeSession Open(string? kubeconfig, string? context, string? ns, string opsNamespace)
    {
        var files = Files(kubeconfig);
        KubernetesClientConfiguration config;
        try
        {
            var merged = Merge([.. files.Select(f => KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(f)))]);
            config = KubernetesClientConfiguration.BuildConfigFromConfigObject(merged, context);
        }
        catch (KubeConfigException e)
        {
            throw PluginException.Usage($"the kubeconfig ({string.Join(", ", files)}) cannot be used: {e.Message}");
        }
        var flags = new List<string>();
        if (kubeconfig is not null) flags.AddRange(["--kubeconfig", kubeconfig]);
        if (context is not null) flags.AddRange(["--context", context]);
        return new KubeSession(config, ns ?? (config.Namespace is { Length: > 0 } own ? own : "default"), opsNamespace, flags);
    }

    /// <summary>The caller's bearer token, which the operator's artifact downloads ask for (they trust no client certificate).</summary>
    public async Task<string> BearerTokenAsync(CancellationToken cancellationToken)
    {
        if (Config.AccessToken is { Length: > 0 } token) return token;
        if (Config.TokenProvider is { } provider && (await provider.GetAuthenticationHeaderAsync(cancellationToken)).Parameter is { Length: > 0 } provided) return provided;
        throw PluginException.Usage("downloads need a bearer token, and this kubeconfig's user has none (a client certificate is not enough): use a user with a token, or an exec credential plugin that gives one");
    }

    /// <summary>KUBECONFIG's files as one, as kubectl merges them: the first file to name a cluster, user, context or current context wins.</summary>
    private static K8SConfiguration Merge(List<K8SConfiguration> configs)
    {
        var merged = configs[0];
        foreach (var next in configs.Skip(1))
        {
            merged.CurrentContext ??= next.CurrentContext;
            merged.Clusters = [.. merged.Clusters ?? [], .. (next.Clusters ?? []).Where(c => merged.Clusters?.Any(m => m.Name == c.Name) != true)];
            merged.Users = [.. merged.Users ?? [], .. (next.Users ?? []).Where(u => merged.Users?.Any(m => m.Name == u.Name) != true)];
            merged.Contexts = [.. merged.Contexts ?? [], .. (next.Contexts ?? []).Where(c => merged.Contexts?.Any(m => m.Name == c.Name) != true)];
        }
        return merged;
    }

    private static List<string> Files(string? kubeconfig)
    {
        if (kubeconfig is not null)
        {
            return File.Exists(kubeconfig) ? [kubeconfig] : throw PluginException.Usage($"no kubeconfig at {kubeconfig} (--kubeconfig)");
        }
        if (Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } listed)
        {
            var existing = listed.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Where(File.Exists).ToList();
            return existing.Count > 0 ? existing : throw PluginException.Usage($"none of the files KUBECONFIG names exists ({listed})");
        }
        var home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
        return File.Exists(home) ? [home] : throw PluginException.Usage($"no kubeconfig: give --kubeconfig, set KUBECONFIG, or write {home}");
    }

    public void Dispose() => (Client as IDisposable)?.Dispose();
}
