using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WritePipeline.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class OperatorConsole : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "audit_log",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Actor = table.Column<string>(type: "TEXT", maxLength: 120, nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    WriteId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 1100, nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Before = table.Column<string>(type: "TEXT", nullable: true),
                    After = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_log", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "bulk_actions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Actor = table.Column<string>(type: "TEXT", maxLength: 120, nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Scope = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    WriteIds = table.Column<string>(type: "TEXT", nullable: false),
                    Total = table.Column<int>(type: "INTEGER", nullable: false),
                    Done = table.Column<int>(type: "INTEGER", nullable: false),
                    Taken = table.Column<int>(type: "INTEGER", nullable: false),
                    Refused = table.Column<int>(type: "INTEGER", nullable: false),
                    Problems = table.Column<string>(type: "TEXT", nullable: true),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_bulk_actions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_writes_CompletedAt",
                table: "writes",
                column: "CompletedAt");

            migrationBuilder.CreateIndex(
                name: "IX_writes_Status_SubmittedAt",
                table: "writes",
                columns: new[] { "Status", "SubmittedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_writes_SubmittedAt",
                table: "writes",
                column: "SubmittedAt");

            migrationBuilder.CreateIndex(
                name: "IX_write_conflicts_DetectedAt",
                table: "write_conflicts",
                column: "DetectedAt");

            migrationBuilder.CreateIndex(
                name: "IX_audit_log_Actor_At",
                table: "audit_log",
                columns: new[] { "Actor", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_audit_log_At",
                table: "audit_log",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_audit_log_WriteId",
                table: "audit_log",
                column: "WriteId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "bulk_actions");

            migrationBuilder.DropIndex(
                name: "IX_writes_CompletedAt",
                table: "writes");

            migrationBuilder.DropIndex(
                name: "IX_writes_Status_SubmittedAt",
                table: "writes");

            migrationBuilder.DropIndex(
                name: "IX_writes_SubmittedAt",
                table: "writes");

            migrationBuilder.DropIndex(
                name: "IX_write_conflicts_DetectedAt",
                table: "write_conflicts");
        }
    }
}
