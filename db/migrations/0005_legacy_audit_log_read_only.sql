-- legacy_audit_log is an archive of the old system's history: rows go in (migrate:import), never change
-- or leave. The import inserts with ON CONFLICT DO NOTHING, so re-runs never need an UPDATE.
CREATE FUNCTION "legacy_audit_log_read_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'legacy_audit_log is a read-only archive of the old system''s audit_log (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;--> statement-breakpoint
CREATE TRIGGER "legacy_audit_log_no_change" BEFORE UPDATE OR DELETE ON "legacy_audit_log"
  FOR EACH ROW EXECUTE FUNCTION "legacy_audit_log_read_only"();--> statement-breakpoint
CREATE TRIGGER "legacy_audit_log_no_truncate" BEFORE TRUNCATE ON "legacy_audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "legacy_audit_log_read_only"();
