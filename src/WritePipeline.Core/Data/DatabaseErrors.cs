using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace WritePipeline.Data;

/// <summary>What a provider's error means, in the terms the pipeline decides on.</summary>
public static class DatabaseErrors
{
    const int SqliteConstraint = 19;
    const int SqliteConstraintPrimaryKey = 1555;
    const int SqliteConstraintUnique = 2067;
    const int SqlServerUniqueConstraint = 2627;
    const int SqlServerUniqueIndex = 2601;

    public static bool IsUniqueViolation(DbUpdateException exception) => exception.InnerException switch
    {
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteErrorCode == SqliteConstraint
            && sqlite.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey,
        SqlException sqlServer => sqlServer.Number is SqlServerUniqueConstraint or SqlServerUniqueIndex,
        _ => false,
    };
}
