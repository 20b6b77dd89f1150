-- Integrity and audit: roll-up statistics per partition, the signed manifest that lists its file,
-- and the latest verification of the file against storage and manifest.
ALTER TABLE archival_metadata ADD COLUMN rollup_stats VARCHAR(65535);
ALTER TABLE archival_metadata ADD COLUMN manifest_url VARCHAR(4096);
ALTER TABLE archival_metadata ADD COLUMN verified_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE archival_metadata ADD COLUMN verify_result VARCHAR(4096);
ALTER TABLE archival_history ADD COLUMN rollup_stats VARCHAR(65535);
ALTER TABLE archival_history ADD COLUMN manifest_url VARCHAR(4096);

CREATE INDEX archival_metadata_manifest ON archival_metadata (manifest_url);
