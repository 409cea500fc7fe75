using k8s.Models;
using Ops.Operator.Agents;

namespace Ops.Operator.Controllers.AgentVersions;

/// <summary>
/// The part of the agent DaemonSet's pod template a rollout owns: the agent container's image and the
/// version label the agent pods carry. Everything else in the template is the installer's.
/// </summary>
public sealed record AgentTemplate(string Version, string Image)
{
    /// <summary>The container that runs the agent: the one named "agent", else the first.</summary>
    public static V1Container? AgentContainer(V1PodSpec? spec) => spec?.Containers?.FirstOrDefault(c => c.Name == "agent") ?? spec?.Containers?.FirstOrDefault();

    public static AgentTemplate? Of(V1PodTemplateSpec? template) =>
        AgentContainer(template?.Spec)?.Image is { } image
            ? new AgentTemplate(template!.Metadata?.Labels?.TryGetValue(AgentRegistry.VersionLabel, out var version) == true ? version : "", image)
            : null;

    /// <summary>Whether a pod was made from this template (its labels and image, not the controller's revision hash, which is the DaemonSet controller's business).</summary>
    public bool Made(V1Pod pod) =>
        pod.Metadata.Labels?.TryGetValue(AgentRegistry.VersionLabel, out var version) == true && version == Version && AgentContainer(pod.Spec)?.Image == Image;

    /// <summary>Writes this version into the DaemonSet; true when that changed anything (the template, or an update strategy that was not OnDelete).</summary>
    public bool ApplyTo(V1DaemonSet daemonSet)
    {
        var changed = false;
        var template = daemonSet.Spec.Template;
        template.Metadata ??= new V1ObjectMeta();
        template.Metadata.Labels ??= new Dictionary<string, string>();
        if (!template.Metadata.Labels.TryGetValue(AgentRegistry.VersionLabel, out var version) || version != Version)
        {
            template.Metadata.Labels[AgentRegistry.VersionLabel] = Version;
            changed = true;
        }
        var container = AgentContainer(template.Spec) ?? throw new InvalidOperationException("the agent DaemonSet's template has no container");
        if (container.Image != Image)
        {
            container.Image = Image;
            changed = true;
        }
        // The operator replaces pods node by node; the DaemonSet controller must not replace them on its own.
        if (daemonSet.Spec.UpdateStrategy?.Type != "OnDelete")
        {
            daemonSet.Spec.UpdateStrategy = new V1DaemonSetUpdateStrategy { Type = "OnDelete" };
            changed = true;
        }
        return changed;
    }
}
