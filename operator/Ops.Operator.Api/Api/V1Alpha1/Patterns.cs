namespace Ops.Operator.Api.V1Alpha1;

/// <summary>Patterns shared by several fields of the API.</summary>
public static class Patterns
{
    /// <summary>A Go-style duration such as 10m, 1h30m or 500ms.</summary>
    public const string Duration = @"^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$";

    /// <summary>An action name: dotted lower-case words (dotnet.stacks, check.tcp).</summary>
    public const string ActionName = @"^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$";

    /// <summary>A percentage written as a string, 0% to 100%.</summary>
    public const string Percent = @"^(100|[1-9]?[0-9])%$";

    /// <summary>A DNS-1123 label: container and node names.</summary>
    public const string DnsLabel = @"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    /// <summary>A DNS-1123 subdomain (at most 253 characters): the names of nodes.</summary>
    public const string DnsSubdomain = @"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    /// <summary>The longest DNS-1123 subdomain.</summary>
    public const int DnsSubdomainMaxLength = 253;
}
