using System.Net;
using System.Text.Json;
using k8s.Autorest;

namespace Ops.ControllerRuntime.Client;

/// <summary>What an API error says, read from its metav1.Status body.</summary>
public static class ApiErrors
{
    /// <summary>Whether the error is a 403: RBAC refused the controller's own call (a missing grant, not a transient fault).</summary>
    public static bool IsForbidden(Exception error) => error is HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden };

    /// <summary>The Status message of an API error (the API server's own words), or the exception's message.</summary>
    public static string MessageOf(Exception error)
    {
        if (error is HttpOperationException { Response.Content: { Length: > 0 } content })
        {
            try
            {
                using var status = JsonDocument.Parse(content);
                if (status.RootElement.TryGetProperty("message", out var message) && message.GetString() is { Length: > 0 } text) return text;
            }
            catch (JsonException)
            {
            }
        }
        return error.Message;
    }
}
