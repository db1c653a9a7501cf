using System.Diagnostics;
using System.Text;
using CsCheck;
using Xunit.Abstractions;

namespace WritePipeline.ComponentTests.Writes;

/// <summary>
/// A write is applied by one code path whatever the batch size (<see cref="WriteApplier"/>, driven by
/// <see cref="WriteBatchApplier"/>), which takes up to Worker:MaxBatchSize consecutive writes of a partition in one
/// transaction. Whatever the writes, what it commits and answers in batches of 256 must be exactly what it gives in
/// batches of one (MaxBatchSize 1): the same records, history, statuses, conflicts, holds, unique-value claims and
/// webhook deliveries, and the same outcome for every delivery (a document that breaks its collection's schema fails
/// the same way at both sizes).
/// </summary>
/// <remarks>
/// The cases come from one fixed seed, so a run is the same every time and a failure names the case that failed (its
/// own seed and its writes); CsCheck then looks for a smaller failing case and prints it with its seed. Set the
/// environment variable CsCheck_Seed to one of those seeds to run that case alone.
/// </remarks>
[Collection(nameof(BatchEquivalenceTests))]
public abstract class BatchEquivalenceTests(DatabaseProvider provider, int cases, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>The stream and seed of the run: every case of every run is generated from them.</summary>
    const uint RunStream = 7;

    const ulong RunSeed = 20_261_202;

    /// <summary>How long CsCheck may look for a smaller failing case once one has failed.</summary>
    const int ShrinkSeconds = 60;

    /// <summary>A bound on one case's application, so that a write retried for ever fails the test instead of hanging it.</summary>
    static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(60);

    WriteApplierHarness _oneAtATime = null!;
    WriteApplierHarness _batched = null!;

    public async Task InitializeAsync()
    {
        _oneAtATime = await StartAsync(maxBatchSize: 1);
        _batched = await StartAsync(maxBatchSize: 256);
    }

    public async Task DisposeAsync()
    {
        await _oneAtATime.DisposeAsync();
        await _batched.DisposeAsync();
    }

    async Task<WriteApplierHarness> StartAsync(int maxBatchSize)
    {
        var harness = await WriteApplierHarness.StartAsync(provider, options =>
        {
            options.Worker.MaxBatchSize = maxBatchSize;
            foreach (var (name, collection) in WriteCases.Collections)
            {
                options.Collections[name] = collection;
            }
        });

        // The submitter listens to the events a worker raises as it applies, so that their deliveries are compared too.
        await harness.QueryAsync(db =>
        {
            db.WebhookEndpoints.Add(new WebhookEndpoint
            {
                Id = WriteCases.EndpointId,
                ClientId = WriteCases.ClientId,
                Url = "https://hooks.example.test/writes",
                Events = $"{WebhookEvents.Applied} {WebhookEvents.Held}",
                Secret = "whsec_dGVzdC1zZWNyZXQtZm9yLWVxdWl2YWxlbmNl",
                CreatedAt = WriteCases.SubmittedFrom,
            });
            return db.SaveChangesAsync();
        });
        return harness;
    }

    [Fact]
    public async Task Applying_in_batches_gives_what_applying_one_at_a_time_gives()
    {
        var coverage = new Coverage();
        var clock = Stopwatch.StartNew();
        if (Check.Seed is { } replay)
        {
            // One case, by its seed, as a failure printed it.
            await CheckAsync(WriteCases.Generate(PCG.Parse(replay)), coverage);
            output.WriteLine($"Case {replay} passed on {provider}.");
            return;
        }

        var run = new PCG(RunStream, RunSeed);
        output.WriteLine($"{cases} cases on {provider}, run seed {run}");
        for (var i = 0; i < cases; i++)
        {
            var caseSeed = run.ToString(run.State);
            var writes = WriteCases.Generate(run);
            try
            {
                await CheckAsync(writes, coverage);
            }
            catch (Exception failure)
            {
                var smaller = await ShrinkAsync(caseSeed);
                throw new InvalidOperationException(
                    $"""
                    Case {i + 1} of {cases} on {provider} failed (case seed {caseSeed}; CsCheck_Seed={caseSeed} runs it alone):
                    {WriteCases.Print(writes)}
                    {failure.Message}

                    {smaller}
                    """,
                    failure);
            }
        }

        output.WriteLine($"{cases} cases in {clock.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine(coverage.ToString());
        coverage.AssertCoversEveryOutcome();
    }

    async Task CheckAsync(WriteCase writes, Coverage coverage)
    {
        await _oneAtATime.ResetAsync();
        await _batched.ResetAsync();
        var (expected, expectedResults) = await ApplyAsync(_oneAtATime, writes);
        var (actual, _) = await ApplyAsync(_batched, writes);
        coverage.Add(writes, expectedResults, _oneAtATime.Transactions.Committed, _batched.Transactions.Committed);

        var differences = Outcome.Differences(expected, actual);
        if (differences.Length > 0)
        {
            throw new EquivalenceException($"Applied in batches of 256, the outcome differs from one write at a time:\n{differences}");
        }
    }

    static async Task<(Outcome State, IReadOnlyList<ApplyResult> Results)> ApplyAsync(WriteApplierHarness harness, WriteCase writes)
    {
        await harness.RecordAsync(writes.Recorded, partition: 0);
        await harness.RejectAsync(writes.Rejected);
        harness.Transactions.Reset();
        using var timeout = new CancellationTokenSource(CaseTimeout);
        var results = await harness.Applier.ApplyAsync(writes.Deliveries, partition: 0, timeout.Token);
        return (await Outcome.ReadAsync(harness, writes, results), results);
    }

    /// <summary>CsCheck's search for a smaller failing case, starting from the one that failed; what it found, with its seed.</summary>
    async Task<string> ShrinkAsync(string failedSeed)
    {
        try
        {
            await WriteCases.All.SampleAsync(w => CheckAsync(w, new Coverage()), seed: failedSeed, time: ShrinkSeconds, threads: 1, print: WriteCases.Print);
            return "The case passed when run again: the failure depends on more than the writes.";
        }
        catch (CsCheckException smallest)
        {
            return $"Smallest failing case CsCheck found in {ShrinkSeconds} s:\n{smallest.Message}\n{smallest.InnerException?.Message}";
        }
    }

    /// <summary>What a run covered, counted over the one-at-a-time results; a run that stopped covering an outcome fails.</summary>
    sealed class Coverage
    {
        readonly SortedDictionary<string, int> _outcomes = new(StringComparer.Ordinal);
        int _cases;
        int _deliveries;
        long _transactionsOneAtATime;
        long _transactionsBatched;

        public void Add(WriteCase writes, IReadOnlyList<ApplyResult> results, int transactionsOneAtATime, int transactionsBatched)
        {
            _cases++;
            _deliveries += results.Count;
            _transactionsOneAtATime += transactionsOneAtATime;
            _transactionsBatched += transactionsBatched;
            foreach (var result in results)
            {
                Count(result.Outcome switch
                {
                    ApplyOutcome.Skipped => $"Skipped ({result.Write?.Status})",
                    _ when result.Write?.ErrorType is { } error => $"{result.Outcome} ({error})",
                    _ => result.Outcome.ToString(),
                });
            }

            var recorded = writes.Recorded.Select(w => w.WriteId).ToHashSet();
            Count("(write without a row)", writes.Deliveries.Select(d => d.WriteId).Distinct().Count(id => !recorded.Contains(id)));
            Count("(write rejected by an older API)", writes.Rejected.Count);
            Count("(redelivery)", writes.Deliveries.Count - writes.Deliveries.Select(d => d.WriteId).Distinct().Count());
        }

        void Count(string name, int count = 1) => _outcomes[name] = _outcomes.GetValueOrDefault(name) + count;

        public void AssertCoversEveryOutcome()
        {
            string[] required =
            [
                "Applied", "Held", "Skipped (applied)", "Skipped (conflicted)", "Skipped (held)", "Skipped (failed)", "Skipped (rejected)",
                "(write without a row)", "(redelivery)", "Duplicate", $"Failed ({WriteErrors.IdempotencyKeyReused})",
                $"Failed ({WriteErrors.InvalidBody})", $"Failed ({WriteErrors.UnknownOperation})", $"Failed ({WriteErrors.SchemaViolation})",
                $"Conflicted ({WriteErrors.VersionMismatch})", $"Conflicted ({WriteErrors.AlreadyExists})", $"Conflicted ({WriteErrors.NotFound})",
                $"Conflicted ({WriteErrors.UniqueViolation})", $"Conflicted ({WriteErrors.MissingReference})", $"Conflicted ({WriteErrors.StillReferenced})",
            ];
            Assert.All(required, outcome => Assert.True(_outcomes.GetValueOrDefault(outcome) > 0, $"No case produced '{outcome}'."));
            Assert.True(_transactionsBatched < _transactionsOneAtATime, "Applied in batches, the writes took as many transactions as one at a time.");
        }

        public override string ToString()
        {
            var text = new StringBuilder();
            text.AppendLine($"{_deliveries} deliveries in {_cases} cases; transactions committed: {_transactionsOneAtATime} one at a time, {_transactionsBatched} in batches");
            foreach (var (outcome, count) in _outcomes)
            {
                text.AppendLine($"  {outcome}: {count}");
            }

            return text.ToString();
        }
    }
}

/// <summary>
/// The property runs take both cores for a while: run alone, after the other tests, they do not slow down the tests
/// that wait for a pipeline to finish.
/// </summary>
[CollectionDefinition(nameof(BatchEquivalenceTests), DisableParallelization = true)]
public sealed class BatchEquivalenceCollection;

public sealed class SqliteBatchEquivalenceTests(ITestOutputHelper output) : BatchEquivalenceTests(DatabaseProvider.Sqlite, cases: 120, output);

public sealed class PostgresBatchEquivalenceTests(ITestOutputHelper output) : BatchEquivalenceTests(DatabaseProvider.PostgreSql, cases: 60, output);

/// <summary>The batched outcome differs from the one-at-a-time outcome.</summary>
public sealed class EquivalenceException(string message) : Exception(message);
