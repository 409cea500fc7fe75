using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ops.Sandbox.Containers;

/// <summary>
/// A one-layer OCI image written here from files of this machine, as an OCI layout archive (what
/// <c>ctr images import</c> and <c>skopeo copy oci-archive:</c> read): the sandbox's pause image, test images.
/// The reference is written as containerd's image-name annotation, so an import keeps it.
/// </summary>
public sealed class OciImageArchive
{
    private readonly List<(string ImagePath, string HostPath, UnixFileMode Mode)> _files = [];
    private readonly List<string> _directories = [];

    /// <summary>A file of this machine at <paramref name="imagePath"/> in the image.</summary>
    public OciImageArchive File(string imagePath, string hostPath, UnixFileMode mode = (UnixFileMode)0b111_101_101)
    {
        _files.Add((imagePath.TrimStart('/'), hostPath, mode));
        return this;
    }

    /// <summary>An empty directory (mode 1777 for /tmp-like ones).</summary>
    public OciImageArchive Directory(string imagePath)
    {
        _directories.Add(imagePath.Trim('/'));
        return this;
    }

    public IReadOnlyList<string> EntryPoint { get; init; } = [];

    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>The image's user ("1654", "1654:1654"); empty is root.</summary>
    public string RunAs { get; init; } = "";

    public IReadOnlyList<string> Environment { get; init; } = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];

    /// <summary>Writes the archive of the image named <paramref name="reference"/> (registry/name:tag).</summary>
    public void Write(string archivePath, string reference)
    {
        using var layer = new MemoryStream();
        using (var tar = new TarWriter(layer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var directory in _directories)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, directory + "/") { Mode = (UnixFileMode)0b1_111_111_111, ModificationTime = DateTimeOffset.UnixEpoch });
            }
            foreach (var (imagePath, hostPath, mode) in _files)
            {
                using var content = System.IO.File.OpenRead(hostPath);
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, imagePath) { Mode = mode, DataStream = content, ModificationTime = DateTimeOffset.UnixEpoch });
            }
        }
        var layerBytes = layer.ToArray();
        var layerDigest = Digest(layerBytes);
        var config = Json(new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["config"] = new JsonObject
            {
                ["User"] = RunAs,
                ["Env"] = new JsonArray([.. Environment.Select(e => (JsonNode)e)]),
                ["Entrypoint"] = EntryPoint.Count == 0 ? null : new JsonArray([.. EntryPoint.Select(e => (JsonNode)e)]),
                ["Cmd"] = Command.Count == 0 ? null : new JsonArray([.. Command.Select(e => (JsonNode)e)]),
            },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(layerDigest) },
        });
        var manifest = Json(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = Descriptor("application/vnd.oci.image.config.v1+json", config),
            ["layers"] = new JsonArray(Descriptor("application/vnd.oci.image.layer.v1.tar", layerBytes)),
        });
        var tag = reference[(reference.LastIndexOf(':') is var colon && colon > reference.LastIndexOf('/') ? colon + 1 : reference.Length)..];
        var index = Json(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(Descriptor("application/vnd.oci.image.manifest.v1+json", manifest, new JsonObject
            {
                ["io.containerd.image.name"] = reference,
                ["org.opencontainers.image.ref.name"] = tag.Length > 0 ? tag : "latest",
            })),
        });
        using var archive = new TarWriter(System.IO.File.Create(archivePath), TarEntryFormat.Pax);
        Add(archive, "oci-layout", Json(new JsonObject { ["imageLayoutVersion"] = "1.0.0" }));
        Add(archive, "index.json", index);
        foreach (var blob in new[] { layerBytes, config, manifest }) Add(archive, $"blobs/sha256/{Digest(blob)[7..]}", blob);
    }

    private static void Add(TarWriter archive, string name, byte[] content)
    {
        using var data = new MemoryStream(content);
        archive.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = data, Mode = (UnixFileMode)0b110_100_100, ModificationTime = DateTimeOffset.UnixEpoch });
    }

    private static JsonObject Descriptor(string mediaType, byte[] content, JsonObject? annotations = null)
    {
        var descriptor = new JsonObject { ["mediaType"] = mediaType, ["digest"] = Digest(content), ["size"] = content.Length };
        if (annotations is not null) descriptor["annotations"] = annotations;
        return descriptor;
    }

    private static byte[] Json(JsonObject value) => JsonSerializer.SerializeToUtf8Bytes(value);

    private static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
}
