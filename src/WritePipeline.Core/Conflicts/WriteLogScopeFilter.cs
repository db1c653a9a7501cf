using System.Reflection;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace WritePipeline.Conflicts;

/// <summary>
/// Opens the write's log scope (<c>WriteId</c>) around every message of the conflict endpoint that names a write (they
/// all correlate by its id), so that the saga's steps log like the partitions' do. Its trace id is MassTransit's
/// consume span's, which continues the trace of whoever sent the message.
/// </summary>
public sealed class WriteLogScopeFilter<TMessage>(ILogger<WriteLogScopeFilter<TMessage>> logger) : IFilter<ConsumeContext<TMessage>>
    where TMessage : class
{
    static readonly PropertyInfo? WriteIdProperty = typeof(TMessage).GetProperty("WriteId") is { PropertyType: var type } property && type == typeof(Guid) ? property : null;

    public async Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next)
    {
        using var scope = WriteIdProperty?.GetValue(context.Message) is Guid writeId
            ? logger.BeginScope(new Dictionary<string, object>(1, StringComparer.Ordinal) { ["WriteId"] = writeId })
            : null;
        await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("writeLogScope");
}
