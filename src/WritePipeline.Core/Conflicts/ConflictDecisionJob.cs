using System.Globalization;
using MassTransit;
using Quartz;
using WritePipeline.Contracts;
using WritePipeline.Messaging;

namespace WritePipeline.Conflicts;

/// <summary>The decision deadline of a notified conflict: tells the write's saga that the submitter's time is up.</summary>
public sealed class ConflictDecisionJob(IBus bus) : IJob
{
    const string WriteIdKey = "writeId";
    const string ConflictKey = "conflict";

    public static string NameOf(Guid writeId, int conflict) => $"decision-{writeId:N}-{conflict}";

    public static IReadOnlyDictionary<string, string> Data(Guid writeId, int conflict) => new Dictionary<string, string>
    {
        [WriteIdKey] = writeId.ToString(),
        [ConflictKey] = conflict.ToString(CultureInfo.InvariantCulture),
    };

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var data = context.MergedJobDataMap;
        await bus.SendMandatoryAsync(
            ConflictSagaDefinition.SendAddress,
            new ConflictDecisionDue
            {
                WriteId = Guid.Parse(data.GetString(WriteIdKey)!),
                Conflict = int.Parse(data.GetString(ConflictKey)!, CultureInfo.InvariantCulture),
            },
            cancellationToken);
    }
}
