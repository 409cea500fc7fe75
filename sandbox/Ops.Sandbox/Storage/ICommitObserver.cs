namespace Ops.Sandbox.Storage;

/// <summary>Told of every committed change, synchronously and in order, under the commit lock.</summary>
internal interface ICommitObserver
{
    void OnCommit(HistoryEntry entry, bool removed);
}
