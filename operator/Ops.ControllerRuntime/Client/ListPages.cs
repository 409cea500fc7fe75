using k8s;
using k8s.Models;

namespace Ops.ControllerRuntime.Client;

/// <summary>Reads a list in pages: a large namespace or cluster comes as several bounded responses, not one.</summary>
public static class ListPages
{
    /// <summary>Objects per page.</summary>
    public const int Size = 500;

    /// <summary>Every item of a list, page after page until the API gives no continue token.</summary>
    public static async Task<List<T>> AllAsync<T>(Func<string?, Task<(IList<T> Items, string? Continue)>> listPage)
    {
        var items = new List<T>();
        string? next = null;
        do
        {
            var (page, continueToken) = await listPage(next);
            items.AddRange(page);
            next = continueToken;
        }
        while (!string.IsNullOrEmpty(next));
        return items;
    }

    /// <summary>Every pod of a namespace the label selector matches (all of them when it is null), in pages.</summary>
    public static Task<List<V1Pod>> PodsAsync(IKubernetes client, string ns, string? labelSelector, CancellationToken cancellationToken) =>
        AllAsync<V1Pod>(async next =>
        {
            var page = await client.CoreV1.ListNamespacedPodAsync(ns, continueParameter: next, labelSelector: labelSelector, limit: Size, cancellationToken: cancellationToken);
            return (page.Items, page.Metadata.ContinueProperty);
        });
}
