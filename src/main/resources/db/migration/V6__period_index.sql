-- A request's ledger rows are selected by period range (and batch ids) in the database.
CREATE INDEX archival_metadata_period ON archival_metadata (type, period);
