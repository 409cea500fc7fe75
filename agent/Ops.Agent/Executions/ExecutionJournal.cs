using Google.Protobuf;
using Microsoft.Extensions.Options;
using Ops.Agent.Hosting;
using Ops.Agent.V1;

namespace Ops.Agent.Executions;

/// <summary>
/// The agent's memory of executions, on disk under the data directory: a "started" marker written
/// before the work begins and the result when it ends. A replay finds the result; an execution that
/// was started but has no result was cut short by an agent restart, and is reported so, not re-run.
/// </summary>
public sealed class ExecutionJournal(IOptions<AgentOptions> options, TimeProvider clock)
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    private string Directory(ExecutionKey key) => Path.Combine(options.Value.DataDirectory, "executions", DirectoryName(key.CommandUid));


    public void MarkStarted(ExecutionKey key)
    {
        System.IO.Directory.CreateDirectory(Directory(key));
        File.WriteAllText(Path.Combine(Directory(key), key.FileName + ".started"), key.TargetKey);
    }

    public bool WasStarted(ExecutionKey key) => File.Exists(Path.Combine(Directory(key), key.FileName + ".started"));

    public void Save(ExecutionResult result)
    {
        var key = new ExecutionKey(result.CommandUid, result.TargetKey);
        System.IO.Directory.CreateDirectory(Directory(key));
        var path = Path.Combine(Directory(key), key.FileName + ".json");
        File.WriteAllText(path + ".tmp", Formatter.Format(result));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    public ExecutionResult? Find(ExecutionKey key)
    {
        var path = Path.Combine(Directory(key), key.FileName + ".json");
        return File.Exists(path) ? Parser.Parse<ExecutionResult>(File.ReadAllText(path)) : null;
    }

    /// <summary>
    /// Deletes the records of commands untouched for longer than <see cref="AgentOptions.ExecutionRetention"/>, except
    /// those <paramref name="running"/> says still run; returns how many commands' records went.
    /// </summary>
    public int DeleteExpired(Func<string, bool> running)
    {
        var root = new DirectoryInfo(Path.Combine(options.Value.DataDirectory, "executions"));
        if (!root.Exists) return 0;
        var before = clock.GetUtcNow().UtcDateTime - options.Value.ExecutionRetention;
        var deleted = 0;
        foreach (var command in root.EnumerateDirectories())
        {
            // A directory's time moves when a record is added to it, not when one of its files is rewritten: use the newest file.
            var newest = command.EnumerateFiles().Select(f => f.LastWriteTimeUtc).DefaultIfEmpty(command.LastWriteTimeUtc).Max();
            if (newest >= before || running(command.Name)) continue;
            try
            {
                command.Delete(recursive: true);
                deleted++;
            }
            catch (IOException)
            {
            }
        }
        return deleted;
    }

    /// <summary>The name of a command's directory in the journal. Command uids are UUIDs; anything else is reduced to a safe file name.</summary>
    public static string DirectoryName(string uid) => new([.. uid.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_')]);
}
