using Microsoft.EntityFrameworkCore;
using WritePipeline.Data;
using WritePipeline.Writes.Detection;

namespace WritePipeline.Writes.Status;

/// <summary>
/// A write's status resource: where it lives (its link, in receipts, webhooks and outcomes) and how it is read, for the
/// endpoints that serve it and the services that answer with it. The conflict's part comes from <see cref="IWriteDecisions"/>.
/// </summary>
public sealed class WriteStatusQuery(WritePipelineDbContext db, IWriteDecisions decisions, WriteIds ids)
{
    /// <summary>
    /// The status resource of a client's write as that client sees it, or of any client's write with every detail, for
    /// operators (<paramref name="clientId"/> null); null when there is no such write. A write no worker has recorded yet
    /// is <c>queued</c> when its id shows that this API gave it to this client (<see cref="WriteIds"/>). Another client's
    /// write, and a write an older version rejected, do not exist for this caller.
    /// </summary>
    public async Task<WriteStatusView?> ReadAsync(Guid writeId, Guid? clientId, CancellationToken cancellationToken)
    {
        // One round trip: the write, with its conflict and its saga's decision when it had one.
        var found = await (
                from w in db.Writes.AsNoTracking()
                where w.Id == writeId && (clientId == null || w.ClientId == clientId)
                join c in db.WriteConflicts.AsNoTracking() on w.Id equals c.WriteId into conflicts
                from conflict in conflicts.DefaultIfEmpty()
                join d in decisions.Decisions on (Guid?)w.Id equals d.WriteId into decided
                from decision in decided.DefaultIfEmpty()
                select new
                {
                    Write = w,
                    Conflict = conflict,
                    Decision = decision,
                    BlockerClientId = db.Set<Write>().Where(b => b.Id == w.HeldBehind).Select(b => (Guid?)b.ClientId).FirstOrDefault(),
                })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return clientId is { } client && ids.IssuedAt(writeId, client) is { } submittedAt
                ? WriteStatusView.Unrecorded(writeId, submittedAt)
                : null;
        }

        if (found.Write.Status == WriteStatus.Rejected)
        {
            return null;
        }

        return WriteStatusView.For(
            found.Write,
            found.Conflict,
            found.Decision is { WriteId: not null } taken ? taken : null,
            decisions.AllowedActions(found.Write),
            found.BlockerClientId,
            clientId is null ? StatusAudience.Operator : StatusAudience.Client);
    }
}
