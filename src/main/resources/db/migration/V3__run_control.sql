-- Run control: jobs and their state transitions, one lease per table, write-ahead of the object a
-- partition is being written to (so a crashed run never leaves an orphan), and the history of
-- archives replaced by --forceArchival. Portable SQL: PostgreSQL and H2.

-- One row per archive or delete job (one CLI invocation), with its current state.
CREATE TABLE archiver_job (
  job_id               VARCHAR(64)    NOT NULL,
  kind                 VARCHAR(16)    NOT NULL,
  type                 VARCHAR(64)    NOT NULL,
  table_name           VARCHAR(512)   NOT NULL,
  request_data         VARCHAR(65535),
  state                VARCHAR(32)    NOT NULL,
  attempts             INTEGER        NOT NULL,
  created_at           TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at           TIMESTAMP WITH TIME ZONE NOT NULL,
  ended_at             TIMESTAMP WITH TIME ZONE,
  partitions_succeeded INTEGER,
  partitions_failed    INTEGER,
  partitions_skipped   INTEGER,
  exit_code            INTEGER,
  error                VARCHAR(65535),
  holder_info          VARCHAR(1024),
  CONSTRAINT archiver_job_pk PRIMARY KEY (job_id)
);
CREATE INDEX archiver_job_type ON archiver_job (type, created_at);

-- Every state a job went through, in order, with its time.
CREATE TABLE archiver_job_transition (
  job_id  VARCHAR(64)  NOT NULL,
  seq     INTEGER      NOT NULL,
  state   VARCHAR(32)  NOT NULL,
  at      TIMESTAMP WITH TIME ZONE NOT NULL,
  detail  VARCHAR(65535),
  CONSTRAINT archiver_job_transition_pk PRIMARY KEY (job_id, seq)
);

-- One run at a time per table: a lease with an expiry, renewed while the run lives.
CREATE TABLE archiver_lease (
  resource     VARCHAR(255)  NOT NULL,
  holder       VARCHAR(64)   NOT NULL,
  holder_info  VARCHAR(1024),
  acquired_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  expires_at   TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT archiver_lease_pk PRIMARY KEY (resource)
);

-- The object a run is writing for a partition, recorded before the write starts.
ALTER TABLE archival_metadata ADD COLUMN pending_blob_url VARCHAR(4096);
ALTER TABLE archival_metadata ADD COLUMN pending_run_id VARCHAR(64);

-- Archives replaced by a forced re-archive (status SUPERSEDED) and whether their object is gone.
CREATE TABLE archival_history (
  uuid              VARCHAR(36)    NOT NULL,
  run_id            VARCHAR(64)    NOT NULL,
  type              VARCHAR(64)    NOT NULL,
  batchid           VARCHAR(1024)  NOT NULL,
  period            VARCHAR(8)     NOT NULL,
  iteration         INTEGER        NOT NULL,
  archival_status   VARCHAR(16)    NOT NULL,
  archival_date     TIMESTAMP WITH TIME ZONE,
  blob_url          VARCHAR(4096),
  row_count         BIGINT,
  byte_size         BIGINT,
  checksum_sha256   VARCHAR(64),
  superseded_date   TIMESTAMP WITH TIME ZONE NOT NULL,
  superseded_by_run VARCHAR(64)    NOT NULL,
  object_removed    BOOLEAN        NOT NULL,
  CONSTRAINT archival_history_pk PRIMARY KEY (uuid, run_id)
);
