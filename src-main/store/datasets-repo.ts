// Datasets, their versions, records, import provenance and clean-run changes in the store (DESIGN §4: nothing is deleted
// by cleaning; a version is written once, then only records put back by a restore are added to it).
import { randomUUID } from 'node:crypto';
import type { Dataset, DatasetLicense, DatasetVersion, RecordFilter } from '../common/datasets';
import type { ColumnKind, Database, Row, SqlParam } from './database';

/** A record as stored: JSON columns as JSON text. */
export interface RecordRow {
  idx: number;
  messages: string;
  system: string | null;
  tools: string | null;
  sourceFile: string | null;
  sourceHash: string | null;
  sourceRow: number | null;
  source: string | null;
}

export interface ChangeRow {
  idx: number;
  step: number;
  operator: string;
  action: 'removed' | 'changed';
  reason: string;
  duplicateOf: number | null;
  before: string;
  after: string | null;
}

export interface VersionWriter {
  records(rows: readonly RecordRow[]): Promise<void>;
  changes(rows: readonly ChangeRow[]): Promise<void>;
  files(files: readonly FileRow[]): Promise<void>;
  scores(rows: readonly { idx: number; name: string; value: number }[]): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export interface FileRow { file: string; sha256: string; format: string; bytes: number; rows: number; skipped: number }

const RECORD_KINDS: ColumnKind[] = ['text', 'bigint', 'text', 'text', 'text', 'text', 'text', 'bigint', 'text', 'bigint'];
const CHANGE_KINDS: ColumnKind[] = ['text', 'bigint', 'int', 'text', 'text', 'text', 'bigint', 'text', 'text', 'text'];

function toVersion(row: Row): DatasetVersion {
  return {
    id: String(row.id),
    datasetId: String(row.dataset_id),
    version: Number(row.version),
    parentVersionId: (row.parent_version_id as string | null) ?? null,
    kind: row.kind as DatasetVersion['kind'],
    state: row.state as DatasetVersion['state'],
    recipe: (row.recipe as string | null) ?? null,
    recordCount: Number(row.record_count),
    createdAt: String(row.created_at),
    note: (row.note as string | null) ?? null,
  };
}

export class DatasetsRepo {
  constructor(private readonly db: Database) {}

  /** Datasets with their visible versions (an import still being written is not shown). */
  async list(): Promise<Dataset[]> {
    const sets = await this.db.all('SELECT * FROM datasets ORDER BY created_at, name');
    const versions = (await this.db.all("SELECT * FROM dataset_versions WHERE state <> 'importing' ORDER BY version")).map(toVersion);
    return sets
      .map((row) => {
        const own = versions.filter((v) => v.datasetId === row.id);
        return {
          id: String(row.id),
          name: String(row.name),
          description: (row.description as string | null) ?? null,
          license: {
            spdx: (row.license_spdx as string | null) ?? null,
            sourceUrl: (row.source_url as string | null) ?? null,
            commercialUse: row.commercial_use == null ? null : Boolean(row.commercial_use),
          },
          createdAt: String(row.created_at),
          currentVersion: own.find((v) => v.id === row.current_version_id) ?? null,
          versions: own,
        };
      })
      .filter((d) => d.versions.length > 0);
  }

  async byName(name: string): Promise<Dataset | undefined> {
    return (await this.list()).find((d) => d.name === name);
  }

  async byId(id: string): Promise<Dataset | undefined> {
    return (await this.list()).find((d) => d.id === id);
  }

  async version(id: string): Promise<DatasetVersion | undefined> {
    const row = await this.db.one('SELECT * FROM dataset_versions WHERE id = $1', [id]);
    return row ? toVersion(row) : undefined;
  }

  /** Whether a dataset (finished or being imported) already holds NAME. */
  async nameTaken(name: string): Promise<boolean> {
    return (await this.db.one('SELECT 1 AS x FROM datasets WHERE name = $1', [name])) !== undefined;
  }

  /** Creates a dataset and its first version in state `importing`; finishVersion makes both visible. */
  async createDataset(name: string, description: string | null, license: DatasetLicense, kind: DatasetVersion['kind']): Promise<{ datasetId: string; versionId: string }> {
    const datasetId = randomUUID();
    const versionId = randomUUID();
    const now = new Date().toISOString();
    await this.db.transaction(async (tx) => {
      await tx.run('INSERT INTO datasets (id, name, description, license_spdx, source_url, commercial_use, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [datasetId, name, description, license.spdx, license.sourceUrl, license.commercialUse, now]);
      await tx.run("INSERT INTO dataset_versions (id, dataset_id, version, kind, state, created_at) VALUES ($1, $2, 1, $3, 'importing', $4)",
        [versionId, datasetId, kind, now]);
    });
    return { datasetId, versionId };
  }

  /** A new version derived from PARENT (a clean run), in state `importing` until finished. */
  async createChildVersion(parent: DatasetVersion, kind: DatasetVersion['kind'], recipe: string | null): Promise<string> {
    const id = randomUUID();
    await this.db.run(`INSERT INTO dataset_versions (id, dataset_id, version, parent_version_id, kind, state, recipe, created_at)
      SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4, 'importing', $5, $6 FROM dataset_versions WHERE dataset_id = $2`,
    [id, parent.datasetId, parent.id, kind, recipe, new Date().toISOString()]);
    return id;
  }

  /** A transaction of its own for one version's records, changes and files (see Database.bulkWriter). */
  async versionWriter(versionId: string): Promise<VersionWriter> {
    const writer = await this.db.bulkWriter();
    return {
      // Records are appended in idx order, so a record's position is its idx (imports and mixes number from 0 without gaps).
      records: (rows) => writer.append('records', RECORD_KINDS, rows.map((r) => [versionId, r.idx, r.messages, r.system, r.tools, r.sourceFile, r.sourceHash, r.sourceRow, r.source, r.idx])),
      changes: (rows) => writer.append('record_changes', CHANGE_KINDS, rows.map((c) => [versionId, c.idx, c.step, c.operator, c.action, c.reason, c.duplicateOf, c.before, c.after, null])),
      files: async (files) => {
        for (const f of files) await writer.run('INSERT INTO dataset_files VALUES ($1, $2, $3, $4, $5, $6, $7)', [versionId, f.file, f.sha256, f.format, f.bytes, f.rows, f.skipped]);
      },
      scores: (rows) => writer.append('record_scores', ['text', 'bigint', 'text', 'double'], rows.map((r) => [versionId, r.idx, r.name, r.value])),
      commit: () => writer.commit(),
      rollback: () => writer.rollback(),
    };
  }

  /**
   * Streams a whole version's conversations in idx order on its own connection (one scan, not one query per page).
   * Only the columns operators read: converting the provenance columns too made the scan 2.5x slower (measured).
   */
  async *streamConversations(versionId: string): AsyncGenerator<Pick<RecordRow, 'idx' | 'messages' | 'system' | 'tools'>[]> {
    for await (const rows of this.db.stream('SELECT idx, messages, system, tools FROM records WHERE version_id = $1 ORDER BY pos', [versionId])) {
      yield rows.map((r) => ({ idx: Number(r.idx), messages: String(r.messages), system: (r.system as string | null) ?? null, tools: (r.tools as string | null) ?? null }));
    }
  }

  appendRecords(versionId: string, rows: readonly RecordRow[]): Promise<void> {
    return this.db.append('records', RECORD_KINDS, rows.map((r) => [versionId, r.idx, r.messages, r.system, r.tools, r.sourceFile, r.sourceHash, r.sourceRow, r.source, r.idx]));
  }

  appendChanges(versionId: string, rows: readonly ChangeRow[]): Promise<void> {
    return this.db.append('record_changes', CHANGE_KINDS, rows.map((c) => [versionId, c.idx, c.step, c.operator, c.action, c.reason, c.duplicateOf, c.before, c.after, null]));
  }

  async addFiles(versionId: string, files: readonly FileRow[]): Promise<void> {
    for (const f of files) {
      await this.db.run('INSERT INTO dataset_files VALUES ($1, $2, $3, $4, $5, $6, $7)', [versionId, f.file, f.sha256, f.format, f.bytes, f.rows, f.skipped]);
    }
  }

  /**
   * Writes a clean version's records from its parent and its changes: a record removed by any step is left out, a
   * changed one takes the `after` of its last change, the rest are copied. One statement, so it is all or nothing.
   */
  async materializeFromParent(versionId: string, parentId: string): Promise<void> {
    await this.db.run(`INSERT INTO records (version_id, idx, messages, system, tools, source_file, source_hash, source_row, source, pos)
      WITH last AS (
        SELECT idx, arg_max(after, step) AS after, bool_or(action = 'removed') AS removed
        FROM record_changes WHERE version_id = $1 GROUP BY idx)
      SELECT $1, r.idx,
        CASE WHEN l.after IS NULL THEN r.messages ELSE json_extract(l.after, '$.messages') END,
        CASE WHEN l.after IS NULL THEN r.system ELSE json_extract_string(l.after, '$.system') END,
        CASE WHEN l.after IS NULL THEN r.tools ELSE json_extract(l.after, '$.tools') END,
        r.source_file, r.source_hash, r.source_row, r.source, row_number() OVER (ORDER BY r.idx) - 1
      FROM records r LEFT JOIN last l ON l.idx = r.idx
      WHERE r.version_id = $2 AND NOT coalesce(l.removed, false)
      ORDER BY r.idx`, [versionId, parentId]);
  }

  /** Makes a version visible and current, with its record count and report. */
  async finishVersion(versionId: string, report: unknown): Promise<void> {
    await this.db.transaction(async (tx) => {
      const count = await tx.all('SELECT count(*) AS n FROM records WHERE version_id = $1', [versionId]);
      await tx.run("UPDATE dataset_versions SET state = 'ready', record_count = $2, report = $3 WHERE id = $1",
        [versionId, Number(count[0].n), JSON.stringify(report)]);
      await tx.run('UPDATE datasets SET current_version_id = $1 WHERE id = (SELECT dataset_id FROM dataset_versions WHERE id = $1)', [versionId]);
    });
  }

  /** Removes every trace of an unfinished version (and of its dataset, if it has no other version). */
  async discardVersion(versionId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const rows = await tx.all('SELECT dataset_id FROM dataset_versions WHERE id = $1', [versionId]);
      for (const table of ['records', 'record_changes', 'dataset_files', 'dataset_analyses', 'record_scores']) await tx.run(`DELETE FROM ${table} WHERE version_id = $1`, [versionId]);
      await tx.run('DELETE FROM dataset_versions WHERE id = $1', [versionId]);
      if (rows[0]) {
        await tx.run('DELETE FROM datasets WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM dataset_versions WHERE dataset_id = $1)', [String(rows[0].dataset_id)]);
      }
    });
  }

  /** After a crash: versions left `importing` were never finished; they are removed so nothing half-written shows. */
  async discardUnfinished(): Promise<number> {
    const rows = await this.db.all("SELECT id FROM dataset_versions WHERE state = 'importing'");
    for (const row of rows) await this.discardVersion(String(row.id));
    return rows.length;
  }

  /** Records with idx ≥ FROM, in idx order (a cursor for streaming a whole version). */
  async recordsFrom(versionId: string, from: number, limit: number): Promise<RecordRow[]> {
    const rows = await this.db.all(`SELECT idx, messages, system, tools, source_file, source_hash, source_row, source FROM records
      WHERE version_id = $1 AND idx >= $2 ORDER BY idx LIMIT $3`, [versionId, from, limit]);
    return rows.map(toRecordRow);
  }

  /** The WHERE clause of a search and filters over one version (null when there are none: pages are pos ranges). */
  private matching(versionId: string, search?: string, filter: RecordFilter = {}): { where: string; params: SqlParam[] } | null {
    const params: SqlParam[] = [versionId];
    const parts: string[] = [];
    if (search && search.trim() !== '') {
      params.push(`%${search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      parts.push(`(CAST(messages AS VARCHAR) ILIKE $${params.length} ESCAPE '\\' OR coalesce(system, '') ILIKE $${params.length} ESCAPE '\\')`);
    }
    if (filter.minTurns !== undefined) { params.push(filter.minTurns); parts.push(`json_array_length(messages) >= $${params.length}`); }
    if (filter.maxTurns !== undefined) { params.push(filter.maxTurns); parts.push(`json_array_length(messages) <= $${params.length}`); }
    if (filter.hasSystem !== undefined) parts.push(filter.hasSystem ? 'system IS NOT NULL' : 'system IS NULL');
    if (filter.sourceFile) { params.push(filter.sourceFile); parts.push(`(source_file = $${params.length} OR source = $${params.length})`); }
    return parts.length ? { where: `version_id = $1 AND ${parts.join(' AND ')}`, params } : null;
  }

  /**
   * A page of a version by position. Without a search or filter it reads a pos range (zone maps skip the rest, so page
   * 5,000 of a million costs what page 1 does); with one it filters (its count is cached per version by the caller).
   */
  async page(versionId: string, offset: number, limit: number, search?: string, filter?: RecordFilter): Promise<{ rows: RecordRow[] }> {
    const columns = 'idx, messages, system, tools, source_file, source_hash, source_row, source';
    const m = this.matching(versionId, search, filter);
    if (!m) {
      const rows = await this.db.all(`SELECT ${columns} FROM records WHERE version_id = $1 AND pos >= $2 AND pos < $3 ORDER BY pos`,
        [versionId, Math.floor(offset), Math.floor(offset + limit)]);
      return { rows: rows.map(toRecordRow) };
    }
    const rows = await this.db.all(`SELECT ${columns} FROM records WHERE ${m.where} ORDER BY pos LIMIT ${Math.floor(limit)} OFFSET ${Math.floor(offset)}`, m.params);
    return { rows: rows.map(toRecordRow) };
  }

  async countMatching(versionId: string, search?: string, filter?: RecordFilter): Promise<number> {
    const m = this.matching(versionId, search, filter);
    const row = await this.db.one(`SELECT count(*) AS n FROM records WHERE ${m?.where ?? 'version_id = $1'}`, m?.params ?? [versionId]);
    return Number(row?.n ?? 0);
  }

  /** The source files (or source datasets of a mix) of a version, with their record counts, for the table's filter. */
  async sources(versionId: string): Promise<{ source: string; count: number }[]> {
    const rows = await this.db.all('SELECT coalesce(source, source_file) AS s, count(*) AS n FROM records WHERE version_id = $1 GROUP BY s ORDER BY s', [versionId]);
    return rows.filter((r) => r.s != null).map((r) => ({ source: String(r.s), count: Number(r.n) }));
  }

  async changes(versionId: string, filter: { operator?: string; action?: string }, offset: number, limit: number): Promise<{ total: number; rows: (ChangeRow & { restoredAt: string | null })[] }> {
    const params: SqlParam[] = [versionId];
    let where = 'version_id = $1';
    if (filter.operator) { params.push(filter.operator); where += ` AND operator = $${params.length}`; }
    if (filter.action) { params.push(filter.action); where += ` AND action = $${params.length}`; }
    const total = await this.db.one(`SELECT count(*) AS n FROM record_changes WHERE ${where}`, params);
    const rows = await this.db.all(`SELECT * FROM record_changes WHERE ${where} ORDER BY step, idx LIMIT ${Math.floor(limit)} OFFSET ${Math.floor(offset)}`, params);
    return {
      total: Number(total?.n ?? 0),
      rows: rows.map(toChangeRow),
    };
  }

  async changeCounts(versionId: string): Promise<{ step: number; operator: string; removed: number; changed: number; restored: number }[]> {
    const rows = await this.db.all(`SELECT step, operator, count(*) FILTER (WHERE action = 'removed') AS removed,
      count(*) FILTER (WHERE action = 'changed') AS changed, count(restored_at) AS restored
      FROM record_changes WHERE version_id = $1 GROUP BY step, operator ORDER BY step`, [versionId]);
    return rows.map((r) => ({ step: Number(r.step), operator: String(r.operator), removed: Number(r.removed), changed: Number(r.changed), restored: Number(r.restored) }));
  }

  /**
   * Puts records of a clean version back as they were in its parent: the record IDX, or every record OPERATOR
   * removed or changed. Returns how many records were put back (already restored ones are not counted again).
   */
  async restore(version: DatasetVersion, target: { idx?: number; operator?: string }): Promise<number> {
    if (!version.parentVersionId) return 0;
    const parentId = version.parentVersionId;
    return this.db.transaction(async (tx) => {
      const pick = target.idx !== undefined ? 'idx = $2' : 'operator = $2';
      const key: SqlParam = target.idx !== undefined ? target.idx : target.operator ?? '';
      const idxs = await tx.all(`SELECT DISTINCT idx FROM record_changes WHERE version_id = $1 AND ${pick} AND restored_at IS NULL`, [version.id, key]);
      if (idxs.length === 0) return 0;
      await tx.run('CREATE TEMP TABLE IF NOT EXISTS restore_idx (idx BIGINT)');
      await tx.run('DELETE FROM restore_idx');
      await tx.run(`INSERT INTO restore_idx SELECT DISTINCT idx FROM record_changes WHERE version_id = $1 AND ${pick} AND restored_at IS NULL`, [version.id, key]);
      await tx.run('DELETE FROM records WHERE version_id = $1 AND idx IN (SELECT idx FROM restore_idx)', [version.id]);
      await tx.run(`INSERT INTO records (version_id, idx, messages, system, tools, source_file, source_hash, source_row, source, pos)
        SELECT $1, idx, messages, system, tools, source_file, source_hash, source_row, source, -1 FROM records
        WHERE version_id = $2 AND idx IN (SELECT idx FROM restore_idx)`, [version.id, parentId]);
      // Positions after the restored records move up: renumber the version in idx order.
      await tx.run(`UPDATE records SET pos = p.pos FROM (SELECT idx, row_number() OVER (ORDER BY idx) - 1 AS pos FROM records WHERE version_id = $1) p
        WHERE records.version_id = $1 AND records.idx = p.idx AND records.pos <> p.pos`, [version.id]);
      await tx.run('UPDATE record_changes SET restored_at = $2 WHERE version_id = $1 AND idx IN (SELECT idx FROM restore_idx) AND restored_at IS NULL',
        [version.id, new Date().toISOString()]);
      await tx.run('UPDATE dataset_versions SET record_count = (SELECT count(*) FROM records WHERE version_id = $1) WHERE id = $1', [version.id]);
      await tx.run('DELETE FROM dataset_analyses WHERE version_id = $1', [version.id]); // it described the records before
      return idxs.length;
    });
  }

  /** Marks VERSION undone and makes its parent current again. */
  async undo(version: DatasetVersion): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run("UPDATE dataset_versions SET state = 'undone' WHERE id = $1", [version.id]);
      await tx.run('UPDATE datasets SET current_version_id = $2 WHERE id = $1', [version.datasetId, version.parentVersionId]);
    });
  }

  /** Kept idx values with their removed duplicates (the first 100 of each), largest cluster first (a page of clusters). */
  async duplicateClusters(versionId: string, offset: number, limit: number): Promise<{ total: number; clusters: { keptIdx: number; copies: number; members: (ChangeRow & { restoredAt: string | null })[] }[] }> {
    const total = await this.db.one('SELECT count(DISTINCT duplicate_of) AS n FROM record_changes WHERE version_id = $1 AND duplicate_of IS NOT NULL', [versionId]);
    const heads = await this.db.all(`SELECT duplicate_of AS kept, count(*) AS n FROM record_changes WHERE version_id = $1 AND duplicate_of IS NOT NULL
      GROUP BY duplicate_of ORDER BY n DESC, kept LIMIT ${Math.floor(limit)} OFFSET ${Math.floor(offset)}`, [versionId]);
    const clusters = [];
    for (const head of heads) {
      const rows = await this.db.all('SELECT * FROM record_changes WHERE version_id = $1 AND duplicate_of = $2 ORDER BY idx LIMIT 100', [versionId, Number(head.kept)]);
      clusters.push({ keptIdx: Number(head.kept), copies: Number(head.n), members: rows.map(toChangeRow) });
    }
    return { total: Number(total?.n ?? 0), clusters };
  }

  /** One record of a version by idx. */
  async record(versionId: string, idx: number): Promise<RecordRow | undefined> {
    const row = await this.db.one('SELECT idx, messages, system, tools, source_file, source_hash, source_row, source FROM records WHERE version_id = $1 AND idx = $2', [versionId, idx]);
    return row ? toRecordRow(row) : undefined;
  }

  /** Replaces the scores named in ROWS for a version (a re-score overwrites, other names stay). */
  async saveScores(versionId: string, rows: readonly { idx: number; name: string; value: number }[]): Promise<void> {
    const names = [...new Set(rows.map((r) => r.name))];
    const writer = await this.db.bulkWriter();
    try {
      for (const name of names) await writer.run('DELETE FROM record_scores WHERE version_id = $1 AND name = $2', [versionId, name]);
      for (let i = 0; i < rows.length; i += 10_000) {
        await writer.append('record_scores', ['text', 'bigint', 'text', 'double'], rows.slice(i, i + 10_000).map((r) => [versionId, r.idx, r.name, r.value]));
      }
      await writer.commit();
    } catch (err) {
      await writer.rollback();
      throw err;
    }
  }

  /** idx → {name: value} for one version. */
  async scores(versionId: string): Promise<Map<number, Record<string, number>>> {
    const out = new Map<number, Record<string, number>>();
    for await (const rows of this.db.stream('SELECT idx, name, value FROM record_scores WHERE version_id = $1', [versionId])) {
      for (const r of rows) {
        const idx = Number(r.idx);
        const entry = out.get(idx) ?? {};
        entry[String(r.name)] = Number(r.value);
        out.set(idx, entry);
      }
    }
    return out;
  }

  async scoreNames(versionId: string): Promise<{ name: string; count: number }[]> {
    const rows = await this.db.all('SELECT name, count(*) AS n FROM record_scores WHERE version_id = $1 GROUP BY name ORDER BY name', [versionId]);
    return rows.map((r) => ({ name: String(r.name), count: Number(r.n) }));
  }

  async saveAnalysis(versionId: string, options: unknown, analysis: unknown): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM dataset_analyses WHERE version_id = $1', [versionId]);
      await tx.run('INSERT INTO dataset_analyses VALUES ($1, $2, $3, $4)', [versionId, new Date().toISOString(), JSON.stringify(options), JSON.stringify(analysis)]);
    });
  }

  /** The stored analysis of a version, if one was made with the same options. */
  async analysis(versionId: string, options: unknown): Promise<unknown> {
    const row = await this.db.one('SELECT options, analysis FROM dataset_analyses WHERE version_id = $1', [versionId]);
    if (!row || String(row.options) !== JSON.stringify(options)) return null;
    return JSON.parse(String(row.analysis));
  }

  async files(versionId: string): Promise<FileRow[]> {
    const rows = await this.db.all('SELECT * FROM dataset_files WHERE version_id = $1 ORDER BY file', [versionId]);
    return rows.map((r) => ({ file: String(r.file), sha256: String(r.sha256), format: String(r.format), bytes: Number(r.bytes), rows: Number(r.rows), skipped: Number(r.skipped) }));
  }

  async report(versionId: string): Promise<unknown> {
    const row = await this.db.one('SELECT report FROM dataset_versions WHERE id = $1', [versionId]);
    return row?.report == null ? null : JSON.parse(String(row.report));
  }
}

function toRecordRow(r: Row): RecordRow {
  return {
    idx: Number(r.idx),
    messages: String(r.messages),
    system: (r.system as string | null) ?? null,
    tools: (r.tools as string | null) ?? null,
    sourceFile: (r.source_file as string | null) ?? null,
    sourceHash: (r.source_hash as string | null) ?? null,
    sourceRow: r.source_row == null ? null : Number(r.source_row),
    source: (r.source as string | null) ?? null,
  };
}

function toChangeRow(r: Row): ChangeRow & { restoredAt: string | null } {
  return {
    idx: Number(r.idx), step: Number(r.step), operator: String(r.operator), action: r.action as ChangeRow['action'], reason: String(r.reason),
    duplicateOf: r.duplicate_of == null ? null : Number(r.duplicate_of), before: String(r.before), after: (r.after as string | null) ?? null,
    restoredAt: (r.restored_at as string | null) ?? null,
  };
}
