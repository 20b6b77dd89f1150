-- The ledger: one row per archived partition (type, batch, ISO week), one archive file each.
-- Portable SQL: runs on PostgreSQL and on the embedded H2 default.
CREATE TABLE archival_metadata (
  uuid             VARCHAR(36)    NOT NULL,
  batchid          VARCHAR(1024)  NOT NULL,
  collectionid     VARCHAR(4096),
  period           VARCHAR(8)     NOT NULL,
  type             VARCHAR(64)    NOT NULL,
  archival_date    TIMESTAMP WITH TIME ZONE,
  completion_date  TIMESTAMP WITH TIME ZONE,
  archival_status  VARCHAR(16)    NOT NULL,
  deletion_status  VARCHAR(16),
  iteration        INTEGER        NOT NULL,
  request_data     VARCHAR(65535),
  blob_url         VARCHAR(4096),
  err_message      VARCHAR(65535),
  row_count        BIGINT,
  byte_size        BIGINT,
  checksum_sha256  VARCHAR(64),
  min_time         TIMESTAMP WITH TIME ZONE,
  max_time         TIMESTAMP WITH TIME ZONE,
  run_id           VARCHAR(64),
  CONSTRAINT archival_metadata_pk PRIMARY KEY (uuid),
  CONSTRAINT archival_metadata_partition UNIQUE (type, batchid, period)
);

CREATE INDEX archival_metadata_run ON archival_metadata (run_id);
