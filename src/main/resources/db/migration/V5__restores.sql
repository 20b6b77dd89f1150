-- Every restore of an archived partition: when, from which file, into which table, how many rows.
CREATE TABLE archival_restore (
  restore_run_id  VARCHAR(64)    NOT NULL,
  uuid            VARCHAR(36)    NOT NULL,
  type            VARCHAR(64)    NOT NULL,
  batchid         VARCHAR(1024)  NOT NULL,
  period          VARCHAR(8)     NOT NULL,
  blob_url        VARCHAR(4096),
  target_table    VARCHAR(512)   NOT NULL,
  restored_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  rows_written    BIGINT,
  status          VARCHAR(16)    NOT NULL,
  err_message     VARCHAR(65535),
  CONSTRAINT archival_restore_pk PRIMARY KEY (restore_run_id, uuid)
);

CREATE INDEX archival_restore_partition ON archival_restore (type, batchid, period);
