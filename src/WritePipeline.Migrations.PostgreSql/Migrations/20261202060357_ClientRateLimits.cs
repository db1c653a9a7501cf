using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WritePipeline.Migrations.PostgreSql.Migrations
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
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RatePerSecond",
                table: "clients",
                type: "integer",
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
