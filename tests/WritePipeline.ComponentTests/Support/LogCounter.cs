using Microsoft.Extensions.Logging;

namespace WritePipeline.ComponentTests.Support;

/// <summary>A logger provider that counts the lines logged at Error or above by the pipeline's own classes.</summary>
public sealed class LogCounter : ILoggerProvider
{
    int _errors;

    /// <summary>Lines logged at Error or Critical by a <c>WritePipeline</c> class.</summary>
    public int Errors => Volatile.Read(ref _errors);

    public ILogger CreateLogger(string categoryName) => new Counting(this, categoryName.StartsWith("WritePipeline", StringComparison.Ordinal));

    public void Dispose()
    {
    }

    sealed class Counting(LogCounter counter, bool counted) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => counted && logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Interlocked.Increment(ref counter._errors);
            }
        }
    }
}
