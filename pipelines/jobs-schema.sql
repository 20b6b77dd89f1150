-- The job-tracking schema of pipelines/jobs.yaml, and a loader of sample data, for PostgreSQL.
--   psql "$URL" -f pipelines/jobs-schema.sql
--   psql "$URL" -c "SELECT jobs.load_sample(1000, now())"   -- 1,000 submissions over the 8 weeks before now
CREATE SCHEMA IF NOT EXISTS jobs;

CREATE TABLE IF NOT EXISTS jobs.submission (
  submission_id bigint PRIMARY KEY,
  campaign text NOT NULL,
  owner text NOT NULL,
  status text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS jobs.submission_history (
  submission_id bigint NOT NULL REFERENCES jobs.submission ON DELETE RESTRICT,
  seq integer NOT NULL,
  status text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (submission_id, seq)
);

CREATE TABLE IF NOT EXISTS jobs.job (
  submission_id bigint NOT NULL REFERENCES jobs.submission ON DELETE RESTRICT,
  job_id bigint NOT NULL,
  state text NOT NULL,
  exit_code integer,
  efficiency double precision,
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (submission_id, job_id)
);

CREATE TABLE IF NOT EXISTS jobs.job_history (
  submission_id bigint NOT NULL,
  job_id bigint NOT NULL,
  seq integer NOT NULL,
  state text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (submission_id, job_id, seq),
  FOREIGN KEY (submission_id, job_id) REFERENCES jobs.job ON DELETE RESTRICT
);

CREATE TABLE IF NOT EXISTS jobs.job_file (
  submission_id bigint NOT NULL,
  job_id bigint NOT NULL,
  name text NOT NULL,
  bytes bigint NOT NULL,
  located boolean NOT NULL,
  PRIMARY KEY (submission_id, job_id, name),
  FOREIGN KEY (submission_id, job_id) REFERENCES jobs.job ON DELETE RESTRICT
);

-- One row per archived and deleted submission: what pages still show about it.
CREATE TABLE IF NOT EXISTS jobs.archived_submission (
  submission_id bigint PRIMARY KEY,
  campaign text NOT NULL,
  owner text NOT NULL,
  status text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  jobs bigint NOT NULL,
  jobs_completed bigint NOT NULL,
  jobs_located bigint NOT NULL,
  jobs_removed bigint NOT NULL,
  jobs_failed bigint NOT NULL,
  exit_0 bigint NOT NULL,
  exit_1 bigint NOT NULL,
  exit_2 bigint NOT NULL,
  files bigint NOT NULL,
  file_bytes numeric,
  efficiency jsonb NOT NULL,
  first_idle timestamptz,
  first_running timestamptz,
  completed_at timestamptz,
  located_at timestamptz,
  job_events bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS archived_submission_campaign ON jobs.archived_submission (campaign);

-- Sample data: n submissions (ids after the largest there), their updates spread over the 8 weeks
-- before "until", in 5 campaigns, each with a history, 0-12 jobs, each job with a history and
-- 0-4 files. Deterministic for the same arguments on an empty schema.
CREATE OR REPLACE FUNCTION jobs.load_sample(n integer, until timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  first_id bigint;
BEGIN
  SELECT coalesce(max(submission_id), 0) + 1 INTO first_id FROM jobs.submission;
  PERFORM setseed(0.42);
  CREATE TEMP TABLE sample_submission ON COMMIT DROP AS
    SELECT first_id + i AS submission_id,
           'campaign-' || (i % 5) AS campaign,
           'user' || (i % 37) AS owner,
           (ARRAY['completed', 'located', 'running', 'idle'])[1 + (i % 4)] AS status,
           until - (random() * interval '56 days') - interval '1 hour' AS updated_at,
           (i % 13) AS jobs
      FROM generate_series(0, n - 1) AS i;
  INSERT INTO jobs.submission
    SELECT submission_id, campaign, owner, status, updated_at - interval '3 days', updated_at FROM sample_submission;
  INSERT INTO jobs.submission_history
    SELECT s.submission_id, k, (ARRAY['idle', 'running', 'completed', 'located'])[k],
           s.updated_at - interval '3 days' + k * interval '15 hours'
      FROM sample_submission s, generate_series(1, 4) AS k
     WHERE k <= 1 + (s.submission_id % 4);
  INSERT INTO jobs.job
    SELECT s.submission_id, j,
           (ARRAY['completed', 'located', 'removed', 'failed'])[1 + ((s.submission_id + j) % 4)],
           CASE WHEN (s.submission_id + j) % 7 = 0 THEN NULL ELSE ((s.submission_id * j) % 3)::integer END,
           CASE WHEN (s.submission_id + j) % 11 = 0 THEN NULL ELSE round(random()::numeric, 3)::double precision END,
           s.updated_at - interval '2 days' + j * interval '1 minute',
           s.updated_at - interval '1 day' + j * interval '1 minute'
      FROM sample_submission s, generate_series(1, 12) AS j
     WHERE j <= s.jobs;
  INSERT INTO jobs.job_history
    SELECT j.submission_id, j.job_id, k, (ARRAY['queued', 'running', 'done'])[k], j.started_at + k * interval '1 second'
      FROM jobs.job j JOIN sample_submission s USING (submission_id), generate_series(1, 3) AS k;
  INSERT INTO jobs.job_file
    SELECT j.submission_id, j.job_id, 'out-' || f || '.dat', (j.submission_id * 7919 + j.job_id * 104729 + f) % 10000000,
           (j.job_id + f) % 2 = 0
      FROM jobs.job j JOIN sample_submission s USING (submission_id), generate_series(1, 4) AS f
     WHERE f <= (j.job_id % 5);
  RETURN n;
END;
$$;
