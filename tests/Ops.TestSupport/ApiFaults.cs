using System.Net;
using System.Text;

namespace Ops.TestSupport;

/// <summary>
/// A handler in front of a KubernetesClient that fails the requests a test chooses, the way the transport
/// or the API server would: with an exception (the client library's own, or a bare SocketException as
/// SocketsHttpHandler throws for a connection reset just after connecting) or with an error Status.
/// </summary>
public sealed class ApiFaults : DelegatingHandler
{
    private volatile Func<HttpRequestMessage, Exception?>? _throw;
    private volatile Func<HttpRequestMessage, HttpStatusCode?>? _answer;
    private long _faulted;

    /// <summary>How many requests were failed on purpose.</summary>
    public long Faulted => Interlocked.Read(ref _faulted);

    /// <summary>From now on, requests for which <paramref name="fault"/> returns an exception throw it instead of being sent.</summary>
    public void Throw(Func<HttpRequestMessage, Exception?> fault) => _throw = fault;

    /// <summary>From now on, requests for which <paramref name="status"/> returns a code get that code as a Status, unsent.</summary>
    public void Answer(Func<HttpRequestMessage, HttpStatusCode?> status) => _answer = status;

    /// <summary>Sends every request again.</summary>
    public void Heal()
    {
        _throw = null;
        _answer = null;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_throw?.Invoke(request) is { } error)
        {
            Interlocked.Increment(ref _faulted);
            return Task.FromException<HttpResponseMessage>(error);
        }
        if (_answer?.Invoke(request) is { } code)
        {
            Interlocked.Increment(ref _faulted);
            var status = $$"""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"{{code}}","code":{{(int)code}},"message":"injected by the test"}""";
            return Task.FromResult(new HttpResponseMessage(code) { RequestMessage = request, Content = new StringContent(status, Encoding.UTF8, "application/json") });
        }
        return base.SendAsync(request, cancellationToken);
    }
}
