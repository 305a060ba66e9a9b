// The import-boundary lint rule flags each forbidden import of DESIGN §2 and lets the allowed ones through.
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const eslint = new ESLint({ cwd: ROOT });

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, file) });
  return result.messages.filter((m) => m.ruleId === 'local/import-boundaries').map((m) => m.message);
}

describe('import boundaries', () => {
  it.each([
    ['src-main/services/x.ts', "import { app } from 'electron';", /Only src-main\/app\/ imports 'electron'/],
    ['src-main/services/x.ts', "import { DuckDBInstance } from '@duckdb/node-api';", /Only src-main\/store\/ imports DuckDB/],
    ['src-main/engine/ops/x.ts', "import * as ort from 'onnxruntime-node';", /Only src-main\/engine\/runtime\/ imports onnxruntime/],
    ['src-main/common/x.ts', "import { z } from './contract'; import { readFileSync } from 'node:fs';", /must not use Node built-ins/],
    ['src-main/common/x.ts', "import { openStore } from '../store';", /common imports nothing of ours/],
    ['src-main/engine/ops/x.ts', "import { openStore } from '../../store';", /engine imports only src-main\/common/],
    ['src-main/engine/host.ts', "import { JobSupervisor } from '../jobs/supervisor';", /engine imports only src-main\/common/],
    ['src-renderer/src/x.ts', "import { dispatch } from '../../src-main/services/api-dispatch';", /renderer imports only src-main\/common/],
  ])('%s: %s is an error', async (file, code, message) => {
    const errors = await boundaryErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it.each([
    ['src-main/app/x.ts', "import { app } from 'electron';"],
    ['src-main/store/x.ts', "import { DuckDBInstance } from '@duckdb/node-api';"],
    ['src-main/engine/runtime/x.ts', "import * as ort from 'onnxruntime-node';"],
    ['src-main/engine/host.ts', "import { x } from './jobs/selftest'; import { y } from '../common/jobs';"],
    ['src-main/engine/ops/x.ts', "import { Graph } from '../ir'; import { z } from '../../common/errors';"],
    ['src-main/engine/jobs/x.ts', "import { TextTokenizer } from '../../models/tokenizer';"],
    ['src-renderer/src/components/data/x.ts', "import { methods } from '../../../../src-main/common/contract'; import { y } from '../../api';"],
    ['src-main/services/x.ts', "import { openStore } from '../store'; import { Graph } from '../engine/ir';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await boundaryErrors(file, code)).toEqual([]);
  });
});
