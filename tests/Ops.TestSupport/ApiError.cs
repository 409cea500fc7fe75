using System.Net;
using System.Text.Json;
using k8s.Autorest;
using Xunit;

namespace Ops.TestSupport;

/// <summary>Runs a KubernetesClient call that must fail and returns the API's code and Status body.</summary>
public static class ApiError
{
    public static async Task<(HttpStatusCode Code, JsonElement Status)> From(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (HttpOperationException e)
        {
            var status = string.IsNullOrEmpty(e.Response.Content) ? default : JsonDocument.Parse(e.Response.Content).RootElement.Clone();
            return (e.Response.StatusCode, status);
        }
        Assert.Fail("the call succeeded but was expected to fail");
        throw new InvalidOperationException();
    }

    public static string Reason(this JsonElement status) => status.GetProperty("reason").GetString() ?? "";

    public static string Message(this JsonElement status) => status.GetProperty("message").GetString() ?? "";
}
