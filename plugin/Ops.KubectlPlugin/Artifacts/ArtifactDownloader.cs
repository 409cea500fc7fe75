using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ops.KubectlPlugin.Cli;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.KubectlPlugin.Artifacts;

/// <summary>
/// Downloads an artifact from the operator over TLS (the Ops CA from the ops-ca ConfigMap, the certificate's localhost
/// name) with the caller's own bearer token: into PATH.part, resumed from its length after a cut (Range: bytes=N-, up to
/// <see cref="MaxAttempts"/> tries), then checked against the sha256 in the command's status; a mismatch is refused and
/// the bytes are deleted, so a file at PATH is always the artifact.
/// </summary>
public sealed class ArtifactDownloader(KubeSession session, Api api)
{
    public const int MaxAttempts = 5;

    /// <summary>Downloads into <paramref name="path"/>; <paramref name="progress"/> hears the bytes held so far. Returns the bytes received (less than the file when resumed).</summary>
    public async Task<long> DownloadAsync(string command, V1Alpha1DiagnosticCommand.ArtifactRef artifact, string path, Action<long> progress, Action<string> note, CancellationToken cancellationToken)
    {
        var token = await session.BearerTokenAsync(cancellationToken);
        var ca = await api.GetConfigMapAsync(session.OpsNamespace, "ops-ca", cancellationToken);
        var trusted = X509Certificate2.CreateFromPem((ca.Data is { } caData && caData.TryGetValue("ca.crt", out var pem) ? pem : null) ?? throw PluginException.Cluster($"ConfigMap {session.OpsNamespace}/ops-ca has no ca.crt"));
        var partial = path + ".part";
        await using var tunnel = await OperatorTunnel.OpenAsync(session, api, cancellationToken);
        using var http = Client(trusted, tunnel.LocalPort);
        var uri = $"artifacts/{Uri.EscapeDataString(session.Namespace)}/{Uri.EscapeDataString(command)}/{Uri.EscapeDataString(artifact.Name)}";
        if (File.Exists(partial) && new FileInfo(partial).Length is > 0 and var before) note($"resuming {artifact.Name} at byte {before} (from {partial})");
        long received = 0;
        for (var attempt = 1; ; attempt++)
        {
            var held = File.Exists(partial) ? new FileInfo(partial).Length : 0;
            if (held > 0 && held == artifact.SizeBytes) break;
            progress(held);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
                if (held > 0) request.Headers.Range = new RangeHeaderValue(held, null);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.PartialContent))
                {
                    throw PluginException.Cluster($"the operator refused {artifact.Name} ({(int)response.StatusCode}): {(await response.Content.ReadAsStringAsync(cancellationToken)).Trim()}");
                }
                // A 200 to a Range is the whole file again: start over rather than append it.
                await using var file = new FileStream(partial, response.StatusCode == HttpStatusCode.PartialContent ? FileMode.Append : FileMode.Create, FileAccess.Write);
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                var buffer = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    received += read;
                    progress(file.Position);
                }
                if (artifact.SizeBytes is null || file.Position == artifact.SizeBytes) break;
                throw new IOException($"the download stopped at {file.Position} of {artifact.SizeBytes} bytes");
            }
            catch (Exception e) when (e is IOException or HttpRequestException && attempt < MaxAttempts && !cancellationToken.IsCancellationRequested)
            {
                note($"{e.Message}; resuming (try {attempt + 1} of {MaxAttempts})");
                await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                var kept = new FileInfo(partial);
                var resumes = kept.Exists ? $"{kept.Length} bytes kept in {partial}; the next download resumes there" : "nothing kept";
                throw PluginException.Cluster($"downloading {artifact.Name} failed after {attempt} tries: {e.Message} ({resumes})");
            }
        }
        await VerifyAsync(artifact, partial, cancellationToken);
        File.Move(partial, path, overwrite: true);
        return received;
    }

    private static async Task VerifyAsync(V1Alpha1DiagnosticCommand.ArtifactRef artifact, string partial, CancellationToken cancellationToken)
    {
        if (artifact.Sha256 is not { } expected) return;
        string actual;
        await using (var read = File.OpenRead(partial))
        {
            actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(read, cancellationToken));
        }
        if (string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase)) return;
        File.Delete(partial);
        throw new PluginException($"{artifact.Name}: the bytes received have sha256 {actual}, not the {expected} the command's status gives; refused and deleted (the artifact may have changed on its node)", ExitCodes.Failed);
    }

    private static HttpClient Client(X509Certificate2 ca, int port)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
        return new HttpClient(handler) { BaseAddress = new Uri($"https://localhost:{port}/"), Timeout = Timeout.InfiniteTimeSpan };
    }
}
