using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WritePipeline.Data;

namespace WritePipeline.Writes;

/// <summary>
/// Records new writes (status <c>queued</c>) by group commit: submissions that arrive while a group is being
/// inserted wait for the next group, and each group is one batched INSERT in one transaction, instead of one per
/// request. A submission's task completes when its row is committed, or fails with what failed it.
/// </summary>
/// <remarks>
/// A group that fails as a whole (most likely two submissions racing with the same Idempotency-Key, one of them in
/// this group) is inserted again one write at a time, so that each submission gets its own answer: the loser of an
/// idempotency race sees the unique violation and answers as a replay, exactly as with one insert per request.
/// </remarks>
public sealed class WriteRecorder : IAsyncDisposable
{
    const int MaxGroupSize = 256;

    /// <summary>
    /// Groups being inserted at once. While one group waits for its commit, the next one forms and goes; a single
    /// inserter would make every submission wait for the group before its own as well.
    /// </summary>
    const int Inserters = 3;

    readonly IServiceScopeFactory _scopes;
    readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>();
    readonly Task[] _loops;

    public WriteRecorder(IServiceScopeFactory scopes)
    {
        _scopes = scopes;
        _loops = [.. Enumerable.Range(0, Inserters).Select(_ => Task.Run(RecordGroupsAsync))];
    }

    public Task RecordAsync(Write write)
    {
        var pending = new Pending(write, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_pending.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(WriteRecorder), "The application is stopping; nothing more is recorded.");
        }

        return pending.Recorded.Task;
    }

    async Task RecordGroupsAsync()
    {
        var group = new List<Pending>(MaxGroupSize);
        while (await _pending.Reader.WaitToReadAsync())
        {
            group.Clear();
            while (group.Count < MaxGroupSize && _pending.Reader.TryRead(out var pending))
            {
                group.Add(pending);
            }

            try
            {
                await InsertGroupAsync([.. group.Select(p => p.Write)]);
                group.ForEach(p => p.Recorded.TrySetResult());
            }
            catch (Exception ex) when (group.Count == 1)
            {
                group[0].Recorded.TrySetException(ex);
            }
            catch (Exception)
            {
                foreach (var pending in group)
                {
                    try
                    {
                        await InsertAsync([pending.Write]);
                        pending.Recorded.TrySetResult();
                    }
                    catch (Exception ex)
                    {
                        pending.Recorded.TrySetException(ex);
                    }
                }
            }
        }
    }

    async Task InsertGroupAsync(IReadOnlyList<Write> writes)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>();
        if (writes.Count > 1 && db.Database.IsNpgsql())
        {
            // One statement over arrays: EF Core's batch of one INSERT per row costs the API more CPU than the rest of
            // a submission together (measured under the accept benchmark).
            await WriteRowsSql.InsertAsync(db, writes);
            return;
        }

        db.Writes.AddRange(writes);
        await db.SaveChangesAsync();
    }

    /// <summary>One write alone, through EF Core, so that a unique violation surfaces as the submitter expects it.</summary>
    async Task InsertAsync(IEnumerable<Write> writes)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WritePipelineDbContext>();
        db.Writes.AddRange(writes);
        await db.SaveChangesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await Task.WhenAll(_loops);
    }

    sealed record Pending(Write Write, TaskCompletionSource Recorded);
}
