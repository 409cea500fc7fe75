using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Ops.Operator.Metrics;

namespace Ops.Operator.Agents;

/// <summary>
/// Times every call to an agent into ops_agent_rpc_duration_seconds{method,code}: a unary call when its
/// answer comes, a streaming call (Execute, DownloadArtifact) when its stream ends.
/// </summary>
public sealed class AgentCallMetrics(OperatorMetrics metrics) : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var watch = Stopwatch.StartNew();
        var call = continuation(request, context);
        return new AsyncUnaryCall<TResponse>(Observe(call.ResponseAsync, context.Method.Name, watch), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var call = continuation(request, context);
        var reader = new TimedReader<TResponse>(call.ResponseStream, this, context.Method.Name, Stopwatch.StartNew());
        return new AsyncServerStreamingCall<TResponse>(reader, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    private async Task<T> Observe<T>(Task<T> response, string method, Stopwatch watch)
    {
        try
        {
            var value = await response;
            Record(method, StatusCode.OK, watch);
            return value;
        }
        catch (RpcException e)
        {
            Record(method, e.StatusCode, watch);
            throw;
        }
    }

    private void Record(string method, StatusCode code, Stopwatch watch) => metrics.AgentRpcDuration.WithLabels(method, code.ToString()).Observe(watch.Elapsed.TotalSeconds);

    private sealed class TimedReader<T>(IAsyncStreamReader<T> inner, AgentCallMetrics owner, string method, Stopwatch watch) : IAsyncStreamReader<T>
    {
        private int _recorded;

        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            try
            {
                var more = await inner.MoveNext(cancellationToken);
                if (!more) Once(StatusCode.OK);
                return more;
            }
            catch (RpcException e)
            {
                Once(e.StatusCode);
                throw;
            }
        }

        private void Once(StatusCode code)
        {
            if (Interlocked.Exchange(ref _recorded, 1) == 0) owner.Record(method, code, watch);
        }
    }
}
