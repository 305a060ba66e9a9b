-- 002: datasets that can be cleaned, restored and undone. A version is never rewritten by a later one: a clean run
-- writes a new version plus one record_changes row per record it removed or changed (with the text before).
-- (DuckDB cannot add a column with a NOT NULL constraint; the repository always writes kind and state.)

ALTER TABLE datasets ADD COLUMN current_version_id TEXT;

ALTER TABLE dataset_versions ADD COLUMN kind TEXT DEFAULT 'import';            -- import | clean | mix | split
ALTER TABLE dataset_versions ADD COLUMN state TEXT DEFAULT 'ready';            -- importing | ready | undone
ALTER TABLE dataset_versions ADD COLUMN note TEXT;
ALTER TABLE dataset_versions ADD COLUMN report JSON;                           -- the import report or the clean summary

-- records again, without its primary key, plus `source` (the dataset a mixed record came from; a mix is stratified
-- by it). Keeping the (version_id, idx) index up to date made bulk imports and version copies 2-3x slower; rows are
-- written in idx order per version, so DuckDB's min/max zone maps already find a version's rows and idx ranges, and
-- the repository assigns idx values itself (unique per version by construction).
CREATE TABLE records_v2 (
  version_id  TEXT NOT NULL,
  idx         BIGINT NOT NULL,
  messages    JSON NOT NULL,
  system      TEXT,
  tools       JSON,
  source_file TEXT,
  source_hash TEXT,
  source_row  BIGINT,
  source      TEXT,
  pos         BIGINT NOT NULL  -- 0-based position in its version (idx has gaps after a clean): pages are pos ranges
);
INSERT INTO records_v2 SELECT version_id, idx, messages, system, tools, source_file, source_hash, source_row, NULL,
  row_number() OVER (PARTITION BY version_id ORDER BY idx) - 1 FROM records;
DROP TABLE records;
ALTER TABLE records_v2 RENAME TO records;

-- The files an import read, with their hashes (provenance).
CREATE TABLE dataset_files (
  version_id TEXT NOT NULL,
  file       TEXT NOT NULL,
  sha256     TEXT NOT NULL,
  format     TEXT NOT NULL,
  bytes      BIGINT NOT NULL,
  rows       BIGINT NOT NULL,
  skipped    BIGINT NOT NULL,
  PRIMARY KEY (version_id, file)
);

-- What a clean run did to each record of its parent it did not keep as is. `before` is the record as the operator
-- saw it, `after` the changed record (null when removed). A record changed by one step and removed by a later one has
-- two rows. restored_at is set when the person put the record back.
CREATE TABLE record_changes (
  version_id   TEXT NOT NULL,
  idx          BIGINT NOT NULL,
  step         INTEGER NOT NULL,
  operator     TEXT NOT NULL,
  action       TEXT NOT NULL,     -- removed | changed
  reason       TEXT NOT NULL,
  duplicate_of BIGINT,
  before       JSON NOT NULL,
  after        JSON,
  restored_at  TEXT,
  PRIMARY KEY (version_id, idx, step)
);

-- The latest analysis of a version (counts, histograms, languages, verbs, topics): slow to compute, cheap to keep.
CREATE TABLE dataset_analyses (
  version_id  TEXT PRIMARY KEY,
  created_at  TEXT NOT NULL,
  options     JSON NOT NULL,
  analysis    JSON NOT NULL
);

-- Per-record scores by name (ifd, ppl, … from the engine's forward pass), for the score filter and the analysis.
CREATE TABLE record_scores (
  version_id TEXT NOT NULL,
  idx        BIGINT NOT NULL,
  name       TEXT NOT NULL,
  value      DOUBLE NOT NULL
);
