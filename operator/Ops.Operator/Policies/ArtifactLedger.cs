using System.Globalization;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ops.Operator.Api.V1Alpha1;
using Ops.Operator.Hosting;

namespace Ops.Operator.Policies;

/// <summary>
/// The bytes of artifacts each namespace's commands wrote today (UTC), for DiagnosticPolicy's maxArtifactBytesPerDay:
/// added as each command finishes, kept in a ConfigMap of the operator's namespace (<see cref="NameOf"/>), where the
/// teams it counts cannot reach it — deleting commands or their artifacts does not give a day's bytes back. Only the
/// leader writes it; it reads it once when it starts leading and then keeps it in memory. Event ids 910–919.
/// </summary>
public sealed partial class ArtifactLedger(IKubernetes client, IOptions<OperatorOptions> options, TimeProvider clock, ILogger<ArtifactLedger> logger) : IDisposable
{
    private const int Attempts = 5;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Dictionary<string, long>? _today;
    private string _day = "";

    public static string NameOf(OperatorOptions options) => $"{options.ServiceName}-artifact-ledger";

    /// <summary>The bytes <paramref name="ns"/>'s commands wrote today (UTC).</summary>
    public async Task<long> WrittenTodayAsync(string ns, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var today = await TodayAsync(cancellationToken);
            return today.GetValueOrDefault(ns);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Counts the artifacts of a command that finished. A failure is logged, not thrown: the command's own status is written already.</summary>
    public async Task AddAsync(V1Alpha1DiagnosticCommand command, CancellationToken cancellationToken)
    {
        var bytes = command.Status?.Results?.SelectMany(r => r.Artifacts ?? []).Sum(a => a.SizeBytes ?? 0) ?? 0;
        if (bytes <= 0) return;
        var ns = command.Metadata.NamespaceProperty ?? "";
        await _gate.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var stored = await WriteAsync(ns, bytes, cancellationToken);
                    _today = stored;
                    return;
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < Attempts)
                {
                    // Written since it was read (a former leader finishing): read it again.
                }
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            NotCounted(logger, bytes, ns, command.Metadata.Name, e);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Dictionary<string, long>> TodayAsync(CancellationToken cancellationToken)
    {
        var day = Day();
        if (_today is not null && _day == day) return _today;
        _today = Parse(await ReadAsync(cancellationToken), day);
        _day = day;
        return _today;
    }

    private async Task<Dictionary<string, long>> WriteAsync(string ns, long bytes, CancellationToken cancellationToken)
    {
        var day = Day();
        var found = await ReadAsync(cancellationToken);
        var today = Parse(found, day);
        today[ns] = today.GetValueOrDefault(ns) + bytes;
        // Only today's entries are kept: yesterday's no longer decide anything.
        var data = today.ToDictionary(e => e.Key, e => $"{day} {e.Value.ToString(CultureInfo.InvariantCulture)}");
        var settings = options.Value;
        if (found is null)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = NameOf(settings), NamespaceProperty = settings.Namespace }, Data = data }, settings.Namespace, cancellationToken: cancellationToken);
        }
        else
        {
            found.Data = data;
            await client.CoreV1.ReplaceNamespacedConfigMapAsync(found, found.Metadata.Name, settings.Namespace, cancellationToken: cancellationToken);
        }
        _day = day;
        return today;
    }

    private async Task<V1ConfigMap?> ReadAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        try
        {
            return await client.CoreV1.ReadNamespacedConfigMapAsync(NameOf(settings), settings.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Each namespace's bytes of <paramref name="day"/>: an entry is "DAY BYTES"; one of another day, or unreadable, counts nothing.</summary>
    public static Dictionary<string, long> Parse(V1ConfigMap? map, string day) =>
        (map?.Data ?? new Dictionary<string, string>())
            .Select(e => (e.Key, Parts: e.Value.Split(' ')))
            .Where(e => e.Parts.Length == 2 && e.Parts[0] == day && long.TryParse(e.Parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .ToDictionary(e => e.Key, e => long.Parse(e.Parts[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);

    public void Dispose() => _gate.Dispose();

    private string Day() => clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [LoggerMessage(910, LogLevel.Warning, "The {Bytes} bytes of artifacts of {Namespace}/{Name} were not added to the day's ledger")]
    private static partial void NotCounted(ILogger logger, long bytes, string @namespace, string name, Exception exception);
}
