-- What the verified delete did to each archived partition.
ALTER TABLE archival_metadata ADD COLUMN deletion_date TIMESTAMP WITH TIME ZONE;
ALTER TABLE archival_metadata ADD COLUMN deleted_rows BIGINT;
ALTER TABLE archival_metadata ADD COLUMN skipped_changed_rows BIGINT;
ALTER TABLE archival_metadata ADD COLUMN absent_rows BIGINT;
ALTER TABLE archival_metadata ADD COLUMN deletion_run_id VARCHAR(64);
