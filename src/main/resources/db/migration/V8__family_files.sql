-- Cascades (a parent table archived with its related tables): the archives of a partition's related
-- tables, as a JSON list of {table, path, rows, bytes, sha256}; NULL for a table archived alone.
ALTER TABLE archival_metadata ADD COLUMN family_files VARCHAR(1048576);
ALTER TABLE archival_history ADD COLUMN family_files VARCHAR(1048576);
