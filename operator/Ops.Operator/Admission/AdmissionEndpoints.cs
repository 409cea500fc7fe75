using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ops.Operator.Hosting;

namespace Ops.Operator.Admission;

/// <summary>
/// POST /admission/validate and /admission/mutate on the operator's TLS port (a certificate of the Ops CA for the
/// Service's names; the webhook configurations' caBundle is kept current by <see cref="WebhookCaBundles"/>). Only a
/// replica that leads and has its caches answers: another says 503, and the configurations' failurePolicy decides
/// (Ignore in the chart: the operator refuses at the start what gets through). Event ids 900–909.
/// </summary>
public sealed partial class AdmissionEndpoints(AdmissionValidator validator, RequesterSeal seal, IOptions<OperatorOptions> options, ILogger<AdmissionEndpoints> logger)
{
    public const string ValidatePath = "/admission/validate";
    public const string MutatePath = "/admission/mutate";

    /// <summary>The operator's own user: what it creates (a ScheduledTask's commands) keeps the requester it carries.</summary>
    public string OperatorUser => $"system:serviceaccount:{options.Value.Namespace}:{options.Value.ServiceAccount}";

    public Task ValidateAsync(HttpContext http) => HandleAsync(http, request =>
    {
        if (validator.Refusal(request) is not { } refusal) return request.Answer(true);
        Refused(logger, request.Operation, request.Kind, request.Namespace, (string?)request.Object?["metadata"]?["name"] ?? "", request.Username, refusal.Reason, refusal.Message);
        return request.Answer(false, refusal.Code, refusal.Message);
    });

    public Task MutateAsync(HttpContext http) => HandleAsync(http, request => request.Answer(true, patch: RequesterStamp.Patch(request, OperatorUser, seal)));

    private static async Task HandleAsync(HttpContext http, Func<AdmissionRequest, JsonObject> answer)
    {
        JsonNode? review;
        try
        {
            review = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        }
        catch (System.Text.Json.JsonException e)
        {
            await Results.Text($"the body is not JSON: {e.Message}\n", statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(http);
            return;
        }
        if (AdmissionRequest.Parse(review, out var problem) is not { } request)
        {
            await Results.Text(problem + "\n", statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(http);
            return;
        }
        await Results.Text(answer(request).ToJsonString(), "application/json", statusCode: StatusCodes.Status200OK).ExecuteAsync(http);
    }

    [LoggerMessage(900, LogLevel.Information, "Refused at admission: {Operation} of {Kind} {Namespace}/{Name} by {User}: {Reason}: {Message}")]
    private static partial void Refused(ILogger logger, string operation, string kind, string @namespace, string name, string user, string reason, string message);
}
