using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WritePipeline.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ClientRateLimits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "RateBurst",
                table: "clients",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RatePerSecond",
                table: "clients",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "RateBurst",
                table: "clients");

            migrationBuilder.DropColumn(
                name: "RatePerSecond",
                table: "clients");
        }
    }
}
