using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WritePipeline.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ConflictDetection : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ReferenceCount",
                table: "records",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "unique_values",
                columns: table => new
                {
                    Collection = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Field = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Value = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_unique_values", x => new { x.Collection, x.Field, x.Value });
                });

            migrationBuilder.CreateTable(
                name: "write_conflicts",
                columns: table => new
                {
                    WriteId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    DetectedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    CurrentVersion = table.Column<long>(type: "INTEGER", nullable: true),
                    CurrentDocument = table.Column<string>(type: "TEXT", nullable: true),
                    BasedOnVersion = table.Column<long>(type: "INTEGER", nullable: true),
                    AttemptedDocument = table.Column<string>(type: "TEXT", nullable: true),
                    Changes = table.Column<string>(type: "TEXT", nullable: false),
                    Subject = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_write_conflicts", x => x.WriteId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_unique_values_Collection_Key",
                table: "unique_values",
                columns: new[] { "Collection", "Key" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "unique_values");

            migrationBuilder.DropTable(
                name: "write_conflicts");

            migrationBuilder.DropColumn(
                name: "ReferenceCount",
                table: "records");
        }
    }
}
