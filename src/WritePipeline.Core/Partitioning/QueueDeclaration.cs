namespace WritePipeline.Partitioning;

/// <summary>
/// A queue of the bus that the topology declares with the partitions' before the first 202 (<see cref="RabbitMqTopologyDeclarer"/>),
/// given by the feature whose endpoint reads it, with the arguments that endpoint declares (the conflict saga's queue).
/// </summary>
public sealed record QueueDeclaration(string Name, IReadOnlyDictionary<string, object?> Arguments);
