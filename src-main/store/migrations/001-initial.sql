-- 001: the first schema. Timestamps are ISO-8601 text (UTC); JSON columns hold JSON text.
-- No foreign keys: DuckDB rewrites UPDATEs of referenced rows in ways that trip them; repositories keep references valid.

CREATE TABLE datasets (
  id             TEXT PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE,
  description    TEXT,
  license_spdx   TEXT,
  source_url     TEXT,
  commercial_use BOOLEAN,
  created_at     TEXT NOT NULL
);

CREATE TABLE dataset_versions (
  id                TEXT PRIMARY KEY,
  dataset_id        TEXT NOT NULL,
  version           INTEGER NOT NULL,
  parent_version_id TEXT,
  recipe            TEXT,          -- the cleaning recipe (YAML) that produced it, if any
  record_count      BIGINT NOT NULL DEFAULT 0,
  created_at        TEXT NOT NULL,
  UNIQUE (dataset_id, version)
);

-- One canonical conversation per row, with its provenance.
CREATE TABLE records (
  version_id  TEXT NOT NULL,
  idx         BIGINT NOT NULL,
  messages    JSON NOT NULL,       -- [{role, content}]
  system      TEXT,
  tools       JSON,
  source_file TEXT,
  source_hash TEXT,
  source_row  BIGINT,
  PRIMARY KEY (version_id, idx)
);

CREATE TABLE models (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  path         TEXT NOT NULL,
  architecture TEXT,
  config       JSON,
  created_at   TEXT NOT NULL
);

CREATE TABLE runs (
  id                 TEXT PRIMARY KEY,
  job_id             TEXT,
  name               TEXT NOT NULL,
  model_id           TEXT,
  dataset_version_id TEXT,
  method             TEXT,
  config             JSON,
  run_dir            TEXT,
  state              TEXT NOT NULL,
  created_at         TEXT NOT NULL,
  ended_at           TEXT
);

CREATE TABLE run_metrics (
  run_id TEXT NOT NULL,
  step   INTEGER NOT NULL,
  name   TEXT NOT NULL,
  value  DOUBLE NOT NULL,
  PRIMARY KEY (run_id, step, name)
);

CREATE TABLE run_events (
  run_id TEXT NOT NULL,
  seq    BIGINT NOT NULL,
  occurred_at TEXT NOT NULL,
  level  TEXT NOT NULL,
  kind   TEXT NOT NULL,
  text   TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
);

CREATE TABLE jobs (
  id         TEXT PRIMARY KEY,
  kind       TEXT NOT NULL,
  state      TEXT NOT NULL,
  params     JSON NOT NULL,
  progress   DOUBLE NOT NULL DEFAULT 0,
  message    TEXT,
  reason     TEXT,
  resumable  BOOLEAN NOT NULL DEFAULT false,
  run_dir    TEXT,
  pid        INTEGER,
  created_at TEXT NOT NULL,
  started_at TEXT,
  ended_at   TEXT
);

-- The supervisor's journal: every state change and notable message of a job, in order.
CREATE TABLE job_events (
  job_id  TEXT NOT NULL,
  seq     BIGINT NOT NULL,
  occurred_at TEXT NOT NULL,
  type    TEXT NOT NULL,
  payload JSON,
  PRIMARY KEY (job_id, seq)
);
