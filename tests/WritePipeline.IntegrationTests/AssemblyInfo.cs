// The integration tests share two cores with a broker and a database server; one at a time keeps their timings
// (and the broker's view of them) readable.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
