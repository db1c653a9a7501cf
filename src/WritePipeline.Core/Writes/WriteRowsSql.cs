using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using NpgsqlTypes;
using WritePipeline.Data;

namespace WritePipeline.Writes;

/// <summary>
/// Inserts new write rows on PostgreSQL with one <c>INSERT ... SELECT * FROM unnest(arrays)</c>: one statement and a
/// dozen parameters for a whole group, whatever its size. Table and column names come from the EF model, so they
/// cannot drift from the migrations.
/// </summary>
static class WriteRowsSql
{
    static string? _sql;

    public static Task InsertAsync(WritePipelineDbContext db, IReadOnlyList<Write> writes)
    {
        var sql = _sql ??= Build(db.Model);
        return db.Database.ExecuteSqlRawAsync(
            sql,
            Array(writes, w => w.Id, NpgsqlDbType.Uuid),
            Array(writes, w => w.ClientId, NpgsqlDbType.Uuid),
            Array(writes, w => w.Collection, NpgsqlDbType.Text),
            Array(writes, w => w.Key, NpgsqlDbType.Text),
            Array(writes, w => w.Partition, NpgsqlDbType.Integer),
            Array(writes, w => w.Operation, NpgsqlDbType.Text),
            Array(writes, w => w.Body, NpgsqlDbType.Text),
            Array(writes, w => w.IfMatchVersion, NpgsqlDbType.Bigint),
            Array(writes, w => w.IfNoneMatchAny, NpgsqlDbType.Boolean),
            Array(writes, w => w.Status, NpgsqlDbType.Text),
            Array(writes, w => w.SubmittedAt, NpgsqlDbType.TimestampTz),
            Array(writes, w => w.IdempotencyKey, NpgsqlDbType.Text),
            Array(writes, w => w.RequestHash, NpgsqlDbType.Text));
    }

    static NpgsqlParameter Array<T>(IReadOnlyList<Write> writes, Func<Write, T> value, NpgsqlDbType type)
    {
        var values = new T[writes.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = value(writes[i]);
        }

        return new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | type, Value = values };
    }

    static string Build(IModel model)
    {
        var entity = model.FindEntityType(typeof(Write))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        string Column(string property) => "\"" + entity.FindProperty(property)!.GetColumnName(table) + "\"";
        string[] columns =
        [
            nameof(Write.Id), nameof(Write.ClientId), nameof(Write.Collection), nameof(Write.Key), nameof(Write.Partition),
            nameof(Write.Operation), nameof(Write.Body), nameof(Write.IfMatchVersion), nameof(Write.IfNoneMatchAny),
            nameof(Write.Status), nameof(Write.SubmittedAt), nameof(Write.IdempotencyKey), nameof(Write.RequestHash),
        ];
        var parameters = string.Join(", ", Enumerable.Range(0, columns.Length).Select(i => "{" + i + "}"));
        return $"INSERT INTO \"{entity.GetTableName()}\" ({string.Join(", ", columns.Select(Column))}) SELECT * FROM unnest({parameters})";
    }
}
