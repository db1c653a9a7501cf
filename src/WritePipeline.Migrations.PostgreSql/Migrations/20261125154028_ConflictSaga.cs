using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WritePipeline.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class ConflictSaga : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "HeldBehind",
                table: "writes",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "HeldPosition",
                table: "writes",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "conflict_sagas",
                columns: table => new
                {
                    CorrelationId = table.Column<Guid>(type: "uuid", nullable: false),
                    CurrentState = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    ClientId = table.Column<Guid>(type: "uuid", nullable: false),
                    Collection = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Operation = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ConflictType = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    DetectedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Conflicts = table.Column<int>(type: "integer", nullable: false),
                    Policy = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    ParkedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ResolutionId = table.Column<Guid>(type: "uuid", nullable: true),
                    ResolutionAction = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    ResolutionReason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    ResolvedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    ResolutionRequestedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ResolvedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_conflict_sagas", x => x.CorrelationId);
                });

            migrationBuilder.CreateTable(
                name: "key_holds",
                columns: table => new
                {
                    Collection = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    BlockingWriteId = table.Column<Guid>(type: "uuid", nullable: false),
                    Since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastPosition = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_key_holds", x => new { x.Collection, x.Key });
                });

            migrationBuilder.CreateIndex(
                name: "IX_writes_Collection_Key_Status_HeldPosition",
                table: "writes",
                columns: new[] { "Collection", "Key", "Status", "HeldPosition" });

            migrationBuilder.CreateIndex(
                name: "IX_conflict_sagas_CurrentState_Collection_ConflictType",
                table: "conflict_sagas",
                columns: new[] { "CurrentState", "Collection", "ConflictType" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "conflict_sagas");

            migrationBuilder.DropTable(
                name: "key_holds");

            migrationBuilder.DropIndex(
                name: "IX_writes_Collection_Key_Status_HeldPosition",
                table: "writes");

            migrationBuilder.DropColumn(
                name: "HeldBehind",
                table: "writes");

            migrationBuilder.DropColumn(
                name: "HeldPosition",
                table: "writes");
        }
    }
}
