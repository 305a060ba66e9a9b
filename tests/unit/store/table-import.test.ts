// Importing CSV, TSV and Parquet through DuckDB's readers (the store's table-file reader), folders of mixed files,
// and files that are not UTF-8: what lands, and what the errors say.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles, type ImportedRecord } from '../../../src-main/data/import/import-files';
import { readTableFile } from '../../../src-main/store';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-table-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function importAll(paths: string[], options: { skipBadRows?: boolean; columns?: Record<string, string> } = {}) {
  const records: ImportedRecord[] = [];
  const report = await importFiles(paths, { ...options, tableReader: readTableFile, sink: async (batch) => { records.push(...batch); } });
  return { records, report };
}

async function duckdb(sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await conn.run(sql);
  conn.closeSync();
  instance.closeSync();
}

describe('table files', () => {
  it('reads an Alpaca CSV (quoted commas, newlines, CJK) with header-based line numbers', async () => {
    const file = join(dir, 'alpaca.csv');
    writeFileSync(file, 'instruction,input,output\n"Say hi, politely",,"Hello, friend."\n翻译：你好,,Hello\n"Two\nlines",x,y\n');
    const { records, report } = await importAll([file]);
    expect(report.files[0]).toMatchObject({ format: 'alpaca', rows: 3, skipped: 0 });
    expect(records.map((r) => r.conversation.messages[0].content)).toEqual(['Say hi, politely', '翻译：你好', 'Two\nlines\nx']);
    expect(records.map((r) => r.sourceRow)).toEqual([2, 3, 4]);
  });

  it('maps columns named another way (the column-mapping step) after saying which fields it expected', async () => {
    const file = join(dir, 'qa.csv');
    writeFileSync(file, 'question,answer,id\nWhat is 2+2?,4,1\n');
    await expect(importAll([file])).rejects.toThrow(/qa\.csv line 2: cannot tell the format of this row \(its fields: question, answer, id\).*--map instruction=question,output=answer/);
    const { records, report } = await importAll([file], { columns: { instruction: 'question', output: 'answer' } });
    expect(report.files[0].format).toBe('alpaca');
    expect(records[0].conversation.messages).toEqual([{ role: 'user', content: 'What is 2+2?' }, { role: 'assistant', content: '4' }]);
  });

  it('reads OpenAI messages stored as JSON text in a TSV column, and names a broken cell', async () => {
    const file = join(dir, 'chat.tsv');
    const ok = JSON.stringify([{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'yo' }]);
    writeFileSync(file, `messages\n${ok}\n[{"role": "user"\n`);
    await expect(importAll([file])).rejects.toThrow(/chat\.tsv line 3: field "messages" holds text that is not valid JSON/);
    const { records, report } = await importAll([file], { skipBadRows: true });
    expect(records).toHaveLength(1);
    expect(report).toMatchObject({ skipped: 1, problems: [{ line: 3 }] });
  });

  it('reads ShareGPT Parquet with list-of-struct columns', async () => {
    const file = join(dir, 'sharegpt.parquet');
    await duckdb(`COPY (SELECT [{'from': 'human', 'value': 'Q' || i}, {'from': 'gpt', 'value': 'A' || i}] AS conversations, 'be brief' AS system
      FROM range(3) t(i)) TO '${file}' (FORMAT parquet)`);
    const { records, report } = await importAll([file]);
    expect(report.files[0]).toMatchObject({ format: 'sharegpt', rows: 3 });
    expect(records[2].conversation).toEqual({ system: 'be brief', messages: [{ role: 'user', content: 'Q2' }, { role: 'assistant', content: 'A2' }] });
    expect(records[0].sourceRow).toBe(1);
  });

  it('imports a folder of mixed files in name order, ignoring non-data files', async () => {
    const folder = join(dir, 'folder');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    writeFileSync(join(folder, 'b.jsonl'), `${JSON.stringify({ text: 'second' })}\n`);
    writeFileSync(join(folder, 'a.json'), JSON.stringify([{ text: 'first' }]));
    writeFileSync(join(folder, 'sub', 'c.csv'), 'text\nthird\n');
    writeFileSync(join(folder, 'README.md'), '# not data');
    const { records, report } = await importAll([folder]);
    expect(records.map((r) => r.conversation.messages[0].content)).toEqual(['first', 'second', 'third']);
    expect(records.map((r) => r.idx)).toEqual([0, 1, 2]);
    expect(report.files.map((f) => f.file.slice(folder.length + 1))).toEqual(['a.json', 'b.jsonl', 'sub/c.csv']);
  });

  it('reports a Latin-1 file with line, column and the byte, or skips just that line', async () => {
    const file = join(dir, 'latin1.jsonl');
    writeFileSync(file, Buffer.concat([Buffer.from('{"text": "fine"}\n{"text": "caf'), Buffer.from([0xe9]), Buffer.from('"}\n{"text": "ok"}\n')]));
    await expect(importAll([file])).rejects.toThrow(/latin1\.jsonl line 2, column 14: the text is not valid UTF-8 \(byte 0xE9\)/);
    const { records, report } = await importAll([file], { skipBadRows: true });
    expect(records.map((r) => r.sourceRow)).toEqual([1, 3]);
    expect(report.problems[0].reason).toMatch(/not valid UTF-8/);
  });
});
