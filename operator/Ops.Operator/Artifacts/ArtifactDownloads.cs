using System.Globalization;
using Grpc.Core;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Ops.Agent.V1;
using Ops.ControllerRuntime.Client;
using Ops.Operator.Agents;
using Ops.Operator.Api.V1Alpha1;

namespace Ops.Operator.Artifacts;

/// <summary>
/// GET /artifacts/NAMESPACE/COMMAND/ARTIFACT streams an artifact from the agent of the node that keeps
/// it. The caller is who their bearer token says (TokenReview) and must be allowed to get
/// <c>diagnosticcommands/artifacts</c> on that command (SubjectAccessReview), as kubectl logs needs
/// <c>pods/log</c>; the operator's own credentials never decide what a user may read. A cut download resumes with Range: bytes=N-.
/// </summary>
public sealed class ArtifactDownloads(IKubernetes client, CustomResourceClient<V1Alpha1DiagnosticCommand> commands, AgentRegistry agents, Func<AgentChannels> channels, ILogger<ArtifactDownloads> logger)
{
    public async Task HandleAsync(HttpContext http, string ns, string command, string name)
    {
        var cancellationToken = http.RequestAborted;
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            await ProblemAsync(http, StatusCodes.Status401Unauthorized, "send your Kubernetes bearer token: Authorization: Bearer $(kubectl create token ...) or your kubeconfig's token");
            return;
        }
        var review = await client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = header["Bearer ".Length..] } }, cancellationToken: cancellationToken);
        if (review.Status is not { Authenticated: true, User: { } user })
        {
            await ProblemAsync(http, StatusCodes.Status401Unauthorized, "the bearer token is not valid for this cluster");
            return;
        }
        var access = await client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec
            {
                User = user.Username, Groups = user.Groups, Uid = user.Uid, Extra = user.Extra,
                ResourceAttributes = new V1ResourceAttributes { Group = ApiGroup.Name, Resource = V1Alpha1DiagnosticCommand.Plural, Subresource = "artifacts", Verb = "get", NamespaceProperty = ns, Name = command },
            },
        }, cancellationToken: cancellationToken);
        if (access.Status?.Allowed != true)
        {
            await ProblemAsync(http, StatusCodes.Status403Forbidden, $"user {user.Username} may not get diagnosticcommands/artifacts of {ns}/{command}");
            return;
        }

        var found = await commands.GetAsync(new NamespacedName(ns, command), cancellationToken);
        var artifact = found?.Status?.Results?.SelectMany(r => r.Artifacts ?? []).FirstOrDefault(a => a.Name == name);
        if (artifact is null)
        {
            await ProblemAsync(http, StatusCodes.Status404NotFound, found is null ? $"no DiagnosticCommand {ns}/{command}" : $"command {ns}/{command} lists no artifact {name} in its status");
            return;
        }
        if (agents.For(artifact.Node ?? "") is not { Ready: true } agent)
        {
            await ProblemAsync(http, StatusCodes.Status503ServiceUnavailable, $"the agent on node {artifact.Node} is not available; try again when it is");
            return;
        }

        // A download cut short resumes where it stopped: Range: bytes=N- (the one form a resuming client sends).
        long offset = 0;
        if (http.Request.Headers.Range.ToString() is { Length: > 0 } range)
        {
            if (!range.StartsWith("bytes=", StringComparison.Ordinal) || !range.EndsWith('-')
                || !long.TryParse(range["bytes=".Length..^1], NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset > (artifact.SizeBytes ?? long.MaxValue))
            {
                http.Response.Headers.ContentRange = $"bytes */{artifact.SizeBytes}";
                await ProblemAsync(http, StatusCodes.Status416RangeNotSatisfiable, $"Range \"{range}\" is not bytes=N- within the artifact's {artifact.SizeBytes} bytes");
                return;
            }
        }

        using var call = channels().For(agent.Address).DownloadArtifact(new ArtifactRequest { Name = name, Offset = offset }, cancellationToken: cancellationToken);
        try
        {
            var started = false;
            await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                if (!started)
                {
                    started = true;
                    http.Response.ContentType = "application/octet-stream";
                    http.Response.Headers.AcceptRanges = "bytes";
                    if (artifact.SizeBytes is { } size)
                    {
                        http.Response.ContentLength = size - offset;
                        if (offset > 0)
                        {
                            http.Response.StatusCode = StatusCodes.Status206PartialContent;
                            http.Response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {offset}-{size - 1}/{size}");
                        }
                    }
                    http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
                    if (artifact.Sha256 is { } sha) http.Response.Headers["X-Checksum-Sha256"] = sha;
                }
                await http.Response.Body.WriteAsync(chunk.Data.Memory, cancellationToken);
            }
            ArtifactLog.Downloaded(logger, user.Username, name, ns, command);
        }
        catch (RpcException e) when (!http.Response.HasStarted)
        {
            await ProblemAsync(http, e.StatusCode == StatusCode.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status502BadGateway,
                $"the agent on node {artifact.Node} could not send {name}: {e.Status.Detail}");
        }
    }

    private static async Task ProblemAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync(message + "\n", http.RequestAborted);
    }
}
