namespace Ops.Sandbox.Storage;

/// <summary>A committed change kept in the store's bounded history for watch resumption.</summary>
internal sealed record HistoryEntry(long ResourceVersion, string Type, StoredObject? Old, StoredObject New);
