namespace Ops.Agent.Watches;

/// <summary>A watch as the agent keeps it: its judgement, the process it watches (once found) and why it watches none.</summary>
internal sealed class WatchEntry(WatchJudgement judgement)
{
    public WatchJudgement Judgement { get; set; } = judgement;
    public ProcessKey? Process { get; set; }
    public string? Problem { get; set; }
}
