-- The recycle bin of files tables: per archived partition, the folder its source files were copied
-- to before the verified delete removed them, and when `purge` emptied it.
CREATE TABLE archival_recycle (
  recycle_url     VARCHAR(4096)  NOT NULL,
  uuid            VARCHAR(36)    NOT NULL,
  type            VARCHAR(64)    NOT NULL,
  batchid         VARCHAR(1024)  NOT NULL,
  period          VARCHAR(8)     NOT NULL,
  blob_url        VARCHAR(4096)  NOT NULL,
  recycled_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  recycle_run_id  VARCHAR(64)    NOT NULL,
  purged_at       TIMESTAMP WITH TIME ZONE,
  purge_run_id    VARCHAR(64),
  CONSTRAINT archival_recycle_pk PRIMARY KEY (recycle_url)
);

CREATE INDEX archival_recycle_partition ON archival_recycle (type, uuid);
