using Grpc.Core;

namespace Ops.Sandbox.Containers;

/// <summary>A CRI call's error as a kubelet shows it in a pod's status: "rpc error: code = NotFound desc = ...".</summary>
internal static class CriErrors
{
    public static string Describe(RpcException e) => $"rpc error: code = {e.StatusCode} desc = {e.Status.Detail}";
}
