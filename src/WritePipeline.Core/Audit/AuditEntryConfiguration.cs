using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WritePipeline.Audit;

/// <summary>How an audit log entry is stored, with the indexes the audit log is searched by.</summary>
public sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("audit_log");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Actor).HasMaxLength(AuditEntry.MaxActorLength);
        builder.Property(e => e.Action).HasMaxLength(AuditEntry.MaxActionLength);
        builder.Property(e => e.Subject).HasMaxLength(AuditEntry.MaxSubjectLength);
        builder.Property(e => e.Outcome).HasMaxLength(16);
        builder.Property(e => e.Detail).HasMaxLength(AuditEntry.MaxDetailLength);
        builder.Property(e => e.Reason).HasMaxLength(AuditEntry.MaxReasonLength);
        builder.HasIndex(e => e.At);
        builder.HasIndex(e => e.WriteId);
        builder.HasIndex(e => new { e.Actor, e.At });
    }
}
