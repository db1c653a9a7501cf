using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WritePipeline.Migrations.SqlServer.Migrations
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
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    Actor = table.Column<string>(type: "nvarchar(120)", maxLength: 120, nullable: false),
                    Action = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: false),
                    WriteId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    Subject = table.Column<string>(type: "nvarchar(1100)", maxLength: 1100, nullable: true),
                    Outcome = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    Detail = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: true),
                    Reason = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: true),
                    Before = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    After = table.Column<string>(type: "nvarchar(max)", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_log", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "bulk_actions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Actor = table.Column<string>(type: "nvarchar(120)", maxLength: 120, nullable: false),
                    Action = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    Reason = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: true),
                    Scope = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: false),
                    WriteIds = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    Total = table.Column<int>(type: "int", nullable: false),
                    Done = table.Column<int>(type: "int", nullable: false),
                    Taken = table.Column<int>(type: "int", nullable: false),
                    Refused = table.Column<int>(type: "int", nullable: false),
                    Problems = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    StartedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    FinishedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true)
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
