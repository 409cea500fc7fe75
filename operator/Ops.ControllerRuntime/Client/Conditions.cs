using k8s.Models;

namespace Ops.ControllerRuntime.Client;

/// <summary>
/// metav1.Condition bookkeeping. The transition time moves only when the status does, so a reconcile
/// that finds nothing new produces a byte-identical status and therefore no write.
/// </summary>
public static class Conditions
{
    public static void Set(List<V1Condition> conditions, string type, bool status, string reason, string message, long? generation, DateTimeOffset now)
    {
        var value = status ? "True" : "False";
        var existing = conditions.FirstOrDefault(c => c.Type == type);
        if (existing is null)
        {
            conditions.Add(new V1Condition
            {
                Type = type, Status = value, Reason = reason, Message = message, ObservedGeneration = generation, LastTransitionTime = Truncate(now),
            });
            return;
        }
        if (existing.Status != value) existing.LastTransitionTime = Truncate(now);
        existing.Status = value;
        existing.Reason = reason;
        existing.Message = message;
        existing.ObservedGeneration = generation;
    }

    public static V1Condition? Find(IEnumerable<V1Condition>? conditions, string type) => conditions?.FirstOrDefault(c => c.Type == type);

    public static void Remove(List<V1Condition> conditions, string type) => conditions.RemoveAll(c => c.Type == type);

    /// <summary>The API keeps seconds; a value with more would differ from what is read back and look like a change.</summary>
    public static DateTime Truncate(DateTimeOffset time) => new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
}
