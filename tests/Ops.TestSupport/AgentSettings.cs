namespace Ops.TestSupport;

/// <summary>
/// The settings a test agent runs with, in this process (<see cref="TestAgent"/>) or as a process of its
/// own (<see cref="AgentProcess"/>): the caller's settings, then its node, address, TLS files and data directory.
/// </summary>
internal static class AgentSettings
{
    public static Dictionary<string, string?> For(string node, string listen, int port, string certificatePath, string keyPath, string caPath, string dataDirectory,
        IReadOnlyDictionary<string, string?>? settings) =>
        new(settings ?? new Dictionary<string, string?>())
        {
            ["Agent:NodeName"] = node,
            ["Agent:ListenAddress"] = listen,
            ["Agent:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Agent:CertificatePath"] = certificatePath,
            ["Agent:KeyPath"] = keyPath,
            ["Agent:CaPath"] = caPath,
            ["Agent:DataDirectory"] = dataDirectory,
        };
}
