using Grpc.Core;
using Xunit;

namespace Ops.TestSupport;

/// <summary>Assertions about how a gRPC call failed.</summary>
public static class GrpcAssert
{
    /// <summary>
    /// The call failed in the connection or TLS handshake, not in a service method. Under TLS 1.3 the client finishes its side
    /// of the handshake before the server checks the client certificate, so a refusal reaches the client either as a failed
    /// connection (Unavailable) or as a reset of the first stream (Internal), depending on timing.
    /// </summary>
    public static void RefusedAtHandshake(RpcException error)
    {
        Assert.True(error.StatusCode is StatusCode.Unavailable or StatusCode.Internal, $"unexpected status {error.StatusCode}: {error.Status.Detail}");
        Assert.True(error.Status.DebugException is HttpRequestException or IOException or System.Security.Authentication.AuthenticationException,
            $"not a transport failure: {error.Status.DebugException?.GetType().Name}: {error.Status.Detail}");
    }
}
