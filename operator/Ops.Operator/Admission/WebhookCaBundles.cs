using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ops.Operator.Hosting;

namespace Ops.Operator.Admission;

/// <summary>
/// Keeps the caBundle of the admission webhook configurations (<see cref="OperatorOptions.AdmissionWebhooks"/>) at the
/// Ops CA, while this replica leads: at once, then every <see cref="Period"/>, so a configuration that a chart upgrade
/// re-created or someone edited is mended. Until it is, the API server cannot verify the operator and the
/// configurations' failurePolicy applies. Only the named configurations are read or written (RBAC resourceNames).
/// </summary>
public sealed partial class WebhookCaBundles(IKubernetes client, OperatorPkiSource pki, IOptions<OperatorOptions> options, TimeProvider clock, ILogger<WebhookCaBundles> logger)
{
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan RetryAfterError = TimeSpan.FromSeconds(5);

    public async Task RunAsync(CancellationToken leading)
    {
        var name = options.Value.AdmissionWebhooks;
        if (name.Length == 0) return;
        var missingLogged = false;
        while (!leading.IsCancellationRequested)
        {
            var wait = Period;
            try
            {
                var bundle = Encoding.ASCII.GetBytes(pki.Current.Authority.CertificatePem);
                var missing = !await SyncValidatingAsync(name, bundle, leading) | !await SyncMutatingAsync(name, bundle, leading);
                if (missing && !missingLogged) ConfigurationMissing(logger, name);
                missingLogged = missing;
            }
            catch (Exception e) when (!leading.IsCancellationRequested)
            {
                SyncFailed(logger, name, RetryAfterError, e);
                wait = RetryAfterError;
            }
            try
            {
                await Task.Delay(wait, clock, leading);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private Task<bool> SyncValidatingAsync(string name, byte[] bundle, CancellationToken cancellationToken) => SyncAsync(
        V1ValidatingWebhookConfiguration.KubeKind, name, bundle,
        () => client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(name, cancellationToken: cancellationToken),
        found => found.Webhooks?.Select(w => w.ClientConfig),
        found => client.AdmissionregistrationV1.ReplaceValidatingWebhookConfigurationAsync(found, name, cancellationToken: cancellationToken));

    private Task<bool> SyncMutatingAsync(string name, byte[] bundle, CancellationToken cancellationToken) => SyncAsync(
        V1MutatingWebhookConfiguration.KubeKind, name, bundle,
        () => client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(name, cancellationToken: cancellationToken),
        found => found.Webhooks?.Select(w => w.ClientConfig),
        found => client.AdmissionregistrationV1.ReplaceMutatingWebhookConfigurationAsync(found, name, cancellationToken: cancellationToken));

    /// <summary>Sets every webhook's caBundle of one configuration when any differs; false when the configuration does not exist.</summary>
    private async Task<bool> SyncAsync<T>(string kind, string name, byte[] bundle, Func<Task<T>> read, Func<T, IEnumerable<Admissionregistrationv1WebhookClientConfig>?> configs, Func<T, Task> replace)
        where T : class
    {
        if (await ReadAsync(read) is not { } found) return false;
        if (!Stale(configs(found), bundle)) return true;
        foreach (var config in configs(found)!) config.CaBundle = bundle;
        await replace(found);
        Updated(logger, kind, name);
        return true;
    }

    private static bool Stale(IEnumerable<Admissionregistrationv1WebhookClientConfig>? configs, byte[] bundle) =>
        configs?.Any(c => c.CaBundle is null || !c.CaBundle.AsSpan().SequenceEqual(bundle)) == true;

    private static async Task<T?> ReadAsync<T>(Func<Task<T>> read) where T : class
    {
        try
        {
            return await read();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    [LoggerMessage(901, LogLevel.Information, "Set the caBundle of {Kind} {Name} to the Ops CA")]
    private static partial void Updated(ILogger logger, string kind, string name);

    [LoggerMessage(902, LogLevel.Warning, "No ValidatingWebhookConfiguration or MutatingWebhookConfiguration {Name}: commands are checked when they start only (Operator:AdmissionWebhooks names them)")]
    private static partial void ConfigurationMissing(ILogger logger, string name);

    [LoggerMessage(903, LogLevel.Warning, "Could not keep the caBundle of the webhook configurations {Name} current; trying again in {Delay}")]
    private static partial void SyncFailed(ILogger logger, string name, TimeSpan delay, Exception exception);
}
