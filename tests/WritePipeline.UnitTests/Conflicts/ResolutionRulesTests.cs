using WritePipeline.Collections;
using WritePipeline.Conflicts;
using WritePipeline.Contracts;
using WritePipeline.Writes;
using WritePipeline.Writes.Detection;
using WritePipeline.Writes.Status;

namespace WritePipeline.UnitTests.Conflicts;

public sealed class ResolutionRulesTests
{
    [Theory]
    [InlineData("replace", "version_mismatch", "retry overwrite resubmit discard")]
    [InlineData("patch", "version_mismatch", "retry rebase overwrite resubmit discard")]
    [InlineData("delete", "version_mismatch", "retry rebase overwrite discard")]
    [InlineData("replace", "already_exists", "retry overwrite resubmit discard")]
    [InlineData("patch", "not_found", "retry resubmit discard")]
    [InlineData("replace", "unique_violation", "retry resubmit discard")]
    [InlineData("replace", "missing_reference", "retry resubmit discard")]
    [InlineData("delete", "still_referenced", "retry discard")]
    public void A_write_waiting_for_a_decision_allows_what_makes_sense_for_its_operation_and_conflict(string operation, string conflict, string allowed)
    {
        Assert.Equal(allowed.Split(' '), ResolutionPolicy.AllowedActions(WriteStatus.Parked, operation, conflict));
        Assert.Equal(allowed.Split(' '), ResolutionPolicy.AllowedActions(WriteStatus.Notified, operation, conflict));
    }

    [Theory]
    [InlineData(WriteStatus.Queued)]
    [InlineData(WriteStatus.Conflicted)]
    [InlineData(WriteStatus.Resolving)]
    [InlineData(WriteStatus.Held)]
    [InlineData(WriteStatus.Applied)]
    [InlineData(WriteStatus.Discarded)]
    [InlineData(WriteStatus.Failed)]
    public void Nothing_can_be_decided_about_a_write_that_waits_for_no_decision(string status)
    {
        Assert.Empty(ResolutionPolicy.AllowedActions(status, WriteOperations.Replace, WriteErrors.VersionMismatch));
        Assert.NotNull(ResolutionPolicy.Refusal(status, WriteOperations.Replace, WriteErrors.VersionMismatch, ResolutionActions.Discard, StatusAudience.Client));
    }

    [Fact]
    public void A_failed_write_can_be_retried_by_an_operator_unless_it_reused_an_idempotency_key()
    {
        Assert.Equal(
            [ResolutionActions.Discard, ResolutionActions.Retry],
            ResolutionPolicy.OperatorActions(WriteStatus.Failed, WriteOperations.Replace, WriteErrors.ProcessingError, null).Order());
        // Retrying it would apply a write whose key names another request.
        Assert.Equal(
            [ResolutionActions.Discard],
            ResolutionPolicy.OperatorActions(WriteStatus.Failed, WriteOperations.Replace, WriteErrors.IdempotencyKeyReused, null));
        Assert.Equal(
            ResolutionPolicy.ReusedKeyOnlyDiscard,
            ResolutionPolicy.Refusal(WriteStatus.Failed, WriteOperations.Replace, WriteErrors.IdempotencyKeyReused, ResolutionActions.Retry, StatusAudience.Operator));
    }

    [Fact]
    public void A_discarded_write_can_be_restored_once_its_saga_has_recorded_the_discard_and_not_before()
    {
        Assert.Equal(
            [ResolutionPolicy.Restore],
            ResolutionPolicy.OperatorActions(WriteStatus.Discarded, WriteOperations.Replace, WriteErrors.VersionMismatch, nameof(ConflictStateMachine.Discarded)));
        // The partition has discarded the write, and its saga still carries out the discard.
        Assert.Empty(ResolutionPolicy.OperatorActions(WriteStatus.Discarded, WriteOperations.Replace, WriteErrors.VersionMismatch, nameof(ConflictStateMachine.Resolving)));
    }

    [Fact]
    public void A_restore_while_the_saga_carries_out_the_discard_is_refused_with_when_to_try_again()
    {
        var resolving = nameof(ConflictStateMachine.Resolving);
        // Just discarded by the partition, or about to be: the same restore is allowed a moment later.
        foreach (var status in new[] { WriteStatus.Discarded, WriteStatus.Resolving })
        {
            var refusal = ResolutionPolicy.RestoreRefusal(status, resolving, ResolutionActions.Discard);
            Assert.Equal((status, TimeSpan.FromSeconds(2)), (refusal!.Status, refusal.RetryAfter));
            Assert.Equal("The write's discard is still being carried out; try the restore again in 2 seconds.", refusal.Reason);
        }

        Assert.Null(ResolutionPolicy.RestoreRefusal(WriteStatus.Discarded, nameof(ConflictStateMachine.Discarded), ResolutionActions.Discard));
        Assert.Null(ResolutionPolicy.RestoreRefusal(WriteStatus.Discarded, null, null));
        // Refusals that do not pass by themselves say no more than that.
        Assert.Equal(
            new DecisionOutcome.Refused(WriteStatus.Resolving, ResolutionPolicy.DecisionUnderway),
            ResolutionPolicy.RestoreRefusal(WriteStatus.Resolving, resolving, ResolutionActions.Retry));
        Assert.Equal(
            new DecisionOutcome.Refused(WriteStatus.Parked, ResolutionPolicy.OnlyDiscardedRestored),
            ResolutionPolicy.RestoreRefusal(WriteStatus.Parked, nameof(ConflictStateMachine.Parked), null));
    }

    static Write ParkedWrite(string operation, long? ifMatch, bool ifNoneMatch = false) => new()
    {
        Id = Guid.NewGuid(),
        Collection = "customers",
        Key = "c1",
        Operation = operation,
        Body = """{"name":"Ada"}""",
        IfMatchVersion = ifMatch,
        IfNoneMatchAny = ifNoneMatch,
        Status = WriteStatus.Parked,
    };

    static WriteConflict Saw(long? version, string? document) => new() { Type = WriteErrors.VersionMismatch, Detail = "", Changes = "[]", CurrentVersion = version, CurrentDocument = document };

    [Fact]
    public void Retry_applies_the_write_as_it_was()
    {
        var write = ParkedWrite(WriteOperations.Replace, ifMatch: 3);

        Assert.Equal(write.ToMessage(), ResolutionRules.WriteFor(write, Saw(5, "{}"), ResolutionActions.Retry, null));
    }

    [Fact]
    public void Other_decisions_apply_only_to_the_version_the_conflict_showed()
    {
        var write = ParkedWrite(WriteOperations.Patch, ifMatch: 3);

        var rebased = ResolutionRules.WriteFor(write, Saw(5, "{}"), ResolutionActions.Rebase, null);
        Assert.Equal(5, rebased.IfMatchVersion);
        Assert.False(rebased.IfNoneMatchAny);

        var resubmitted = ResolutionRules.WriteFor(write, Saw(5, "{}"), ResolutionActions.Resubmit, """{"name":"Bob"}""");
        Assert.Equal("""{"name":"Bob"}""", resubmitted.Body);
        Assert.Equal(5, resubmitted.IfMatchVersion);

        // The record did not exist when the decision was taken: it must still not exist.
        var overwrite = ResolutionRules.WriteFor(ParkedWrite(WriteOperations.Replace, ifMatch: 3), Saw(4, null), ResolutionActions.Overwrite, null);
        Assert.Null(overwrite.IfMatchVersion);
        Assert.True(overwrite.IfNoneMatchAny);
    }

    [Theory]
    [InlineData("auto", null, true, "notify")]
    [InlineData("auto", null, false, "park")]
    [InlineData("notify", null, false, "park")]
    [InlineData("park", null, true, "park")]
    [InlineData("auto", "park", true, "park")]
    [InlineData("park", "notify", true, "notify")]
    [InlineData("park", "notify", false, "park")]
    public void The_clients_policy_overrides_the_collections_and_nobody_is_notified_without_an_endpoint(string collection, string? client, bool subscribed, string expected) =>
        Assert.Equal(expected, ConflictPolicies.Choose(collection, client, subscribed));
}
