// Reading data files: JSONL and JSON arrays with line numbers, malformed JSON located, auto-detection and its errors.
import { describe, expect, it } from 'vitest';
import { DataError, openDataset, readRows } from '../../../src-main/data/formats';
import { collect, writeJsonl, writeText } from './helpers';

/** The message of the DataError that PROMISE rejects with (and its details). */
async function dataError(promise: Promise<unknown>): Promise<DataError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(DataError);
  return err as DataError;
}

describe('readRows', () => {
  it('streams JSONL rows with 1-based line numbers, skipping blank lines, a BOM and CRLF', async () => {
    const file = writeText('a.jsonl', '\uFEFF{"text":"one"}\r\n\r\n{"text":"two"}\r\n');
    expect(await collect(readRows(file))).toEqual([{ line: 1, row: { text: 'one' } }, { line: 3, row: { text: 'two' } }]);
  });

  it('reads a JSON array with the line each row starts on, and JSON Lines named .json', async () => {
    const file = writeText('a.json', '[\n  {"text": "a,]"},\n\n  {\n    "text": "b"\n  }, {"text": "c"}\n]\n');
    expect((await collect(readRows(file))).map((r) => r.line)).toEqual([2, 4, 6]);
    const lines = writeText('b.json', '{"text":"a"}\n{"text":"b"}\n');
    expect((await collect(readRows(lines))).map((r) => r.line)).toEqual([1, 2]);
  });

  it('names file, line, column and a snippet for malformed JSON', async () => {
    const file = writeText('bad.jsonl', '{"text":"ok"}\n{"instruction": "a",, "output": "b"}\n');
    const err = await dataError(collect(readRows(file)));
    // The reason in brackets is V8's wording, which may change between Node versions; where it points may not.
    expect(err.message).toMatch(/^.+bad\.jsonl line 2, column 21: invalid JSON \(.+\) near: \{"instruction": "a",, "output": "b"\}$/);
    expect(err.details).toEqual({ file, line: 2, column: 21 });
    // V8 gives no position for this one: the reader finds it itself.
    const nul = await dataError(collect(readRows(writeText('nul.jsonl', '{"a":nul}\n'))));
    expect(nul.message).toMatch(/line 1, column 9: invalid JSON \(.+\) near: \{"a":nul\}$/);
    const arr = await dataError(collect(readRows(writeText('bad.json', '[\n {"text": "a"},\n {"text": }\n]'))));
    expect(arr.message).toMatch(/bad\.json line 3, column 11: invalid JSON/);
  });

  it('rejects rows that are not objects, a .json that is not an array, missing files and other types', async () => {
    expect((await dataError(collect(readRows(writeText('n.jsonl', '{"text":"a"}\n[1,2]\n'))))).message).toMatch(/n\.jsonl line 2: a row must be a JSON object, got array$/);
    expect((await dataError(collect(readRows(writeText('o.json', '{\n  "data": []\n}\n'))))).message)
      .toMatch(/o\.json line 1, column 2: invalid JSON \(.+\) near: \{ \(a \.json data file holds an array of rows, or one JSON object per line\)$/);
    expect((await dataError(collect(readRows('/nonexistent/data.jsonl')))).message).toBe('/nonexistent/data.jsonl: cannot read the data file (no such file)');
    expect((await dataError(collect(readRows(writeText('d.txt', 'a,b\n'))))).message).toMatch(/unsupported data file type "\.txt"; expected \.jsonl, \.ndjson, \.json, \.csv, \.tsv, \.parquet$/);
    expect((await dataError(collect(readRows(writeText('d.csv', 'a,b\n'))))).message).toMatch(/d\.csv: csv files are read by the app's database engine/);
  });
});

describe('openDataset', () => {
  it('detects the format from the first rows and parses every row', async () => {
    const file = writeJsonl([{ instruction: 'q1', output: 'a1' }, { instruction: 'q2', input: 'x', output: 'a2' }]);
    const ds = await openDataset(file);
    expect(ds.format).toBe('alpaca');
    const rows = await collect(ds.rows);
    expect(rows.map((r) => r.line)).toEqual([1, 2]);
    expect(rows[1].parsed).toEqual({ kind: 'chat', conversation: { messages: [{ role: 'user', content: 'q2\nx' }, { role: 'assistant', content: 'a2' }] } });
  });

  it('honours an explicit --format over detection', async () => {
    const file = writeJsonl([{ text: 'hello', instruction: 'ignored' }]);
    expect((await openDataset(file)).format).toBe('alpaca');
    const ds = await openDataset(file, 'text');
    expect(ds.format).toBe('text');
    expect((await collect(ds.rows))[0].parsed).toEqual({ kind: 'text', text: 'hello' });
    await expect(openDataset(file, 'csv' as 'text')).rejects.toThrow('Unknown data format "csv"; expected auto or one of tokens, openai, sharegpt, alpaca, text.');
  });

  it('says when the file is empty, a row fits no format, or the formats are mixed', async () => {
    const empty = writeText('empty.jsonl', '');
    expect((await dataError(openDataset(empty))).message).toBe(`${empty}: the file has no rows (it is empty or holds only blank lines)`);
    expect((await dataError(openDataset(writeText('blank.jsonl', '\n  \n')))).message).toMatch(/has no rows/);
    expect((await dataError(openDataset(writeText('e.json', '[]')))).message).toMatch(/has no rows/);
    const unknown = await dataError(openDataset(writeJsonl([{ prompt: 'p', completion: 'c' }])));
    expect(unknown.message).toMatch(/line 1: cannot tell the format of this row \(its fields: prompt, completion\); expected one of "input_ids" \(tokens\), "messages" \(openai\)/);
    const mixed = await dataError(openDataset(writeJsonl([{ text: 'a' }, { text: 'b' }, { messages: [] }])));
    expect(mixed.message).toMatch(/line 3: this row looks like openai but line 1 looks like text: one file must hold one format/);
  });

  it('names file, line and field for a bad row, also past the detection window', async () => {
    const rows: unknown[] = Array.from({ length: 40 }, (_, i) => ({ instruction: `q${i}`, output: `a${i}` }));
    rows[6] = { instruction: 'q', output: 7 };
    const file = writeJsonl(rows);
    const err = await dataError(collect((await openDataset(file)).rows));
    expect(err.message).toBe(`${file} line 7: field "output" must be a string, got number`);
    expect(err.details).toEqual({ file, line: 7, field: 'output' });
    expect(err.code).toBe('invalid-input');
    rows[6] = { instruction: 'q', output: 'a' };
    rows[35] = { text: 'late' };
    const late = writeJsonl(rows);
    expect((await dataError(collect((await openDataset(late)).rows))).message)
      .toBe(`${late} line 36: field "instruction" is missing (expected a string) (alpaca rows need "instruction" + "output")`);
  });
});
