// ftstudio train/eval/export on bad input, in-process: exit codes, messages, and a run folder holding only error.json.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src-main/cli/main';
import { TINY_MODELS, writeTinyModel } from '../../reference/tiny-models';

const work = mkdtempSync(join(tmpdir(), 'ftstudio-train-cli-'));
const MODEL = join(work, 'model');
const DATA = join(work, 'data.jsonl');
const savedHome = process.env.FTSTUDIO_HOME;

beforeAll(() => {
  process.env.FTSTUDIO_HOME = join(work, 'home');
  writeTinyModel(MODEL, TINY_MODELS.find((m) => m.id === 'llama')!);
  writeFileSync(DATA, '{"input_ids":[1,2,3,4]}\n{"input_ids":[5,6,7]}\n');
});
afterAll(() => {
  if (savedHome === undefined) delete process.env.FTSTUDIO_HOME;
  else process.env.FTSTUDIO_HOME = savedHome;
  rmSync(work, { recursive: true, force: true });
});

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('ftstudio train, bad input', () => {
  it('exits 1 with the reason and leaves only OUT/error.json (no config.json)', async () => {
    const empty = join(work, 'empty-model');
    mkdirSync(empty, { recursive: true });
    const out = join(work, 'out-1');
    const r = await run(['train', '--model', empty, '--data', DATA, '--out', out, '--json']);
    expect(r.code).toBe(1);
    const message = JSON.parse(r.stdout).error.message;
    expect(message).toMatch(/config\.json/);
    expect(readdirSync(out)).toEqual(['error.json']);
    expect(JSON.parse(readFileSync(join(out, 'error.json'), 'utf8'))).toEqual({ error: message });
  });

  it('exits 1 on token ids outside the vocabulary, as text on stderr', async () => {
    const bad = join(work, 'bad.jsonl');
    writeFileSync(bad, '{"input_ids":[1,2,256]}\n');
    const out = join(work, 'out-2');
    const r = await run(['train', '--model', MODEL, '--data', bad, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ftstudio: .*bad\.jsonl line 1: field "input_ids\[2\]" holds token id 256, outside the model's vocabulary of 256 tokens/);
    expect(readdirSync(out)).toEqual(['error.json']);
  });

  it('exits 2 on an invalid config and creates no run folder', async () => {
    const out = join(work, 'out-3');
    const r = await run(['train', '--model', MODEL, '--data', DATA, '--out', out, '--lr=-1', '--schedule', 'exp', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.message).toBe('Invalid training config: --lr: expected a positive number, e.g. 2e-4, got -1; --schedule: expected constant, linear or cosine, got "exp"');
    expect(existsSync(out)).toBe(false);
  });

  it('--resume needs a run folder and takes no other settings', async () => {
    const r = await run(['train', '--resume', join(work, 'nothing-here'), '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.message).toMatch(/has no run\.json, so it is not a training run folder/);
    const mixed = await run(['train', '--resume', join(work, 'x'), '--lr', '1e-3', '--config', 'a.yaml']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/--resume continues a run with the settings in its run\.json; drop --config, --lr/);
  });

  it('rejects options of other commands', async () => {
    const r = await run(['train', '--merged', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/train has no option --merged/);
  });
});

describe('ftstudio train --precision / --loss-scale / --emulate', () => {
  it('trains in fp8 (emulated, delayed scaling, no loss scale) and records it', async () => {
    const out = join(work, 'out-fp8');
    const r = await run(['train', '--model', MODEL, '--data', DATA, '--out', out, '--precision', 'fp8', '--steps', '2', '--threads', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ state: 'completed', steps: 2 });
    const info = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(info.config).toMatchObject({ precision: 'fp8', loss_scale: 'none', fp8_margin: 0, fp8_amax_history: 16 });
    expect(info.params.precision).toBe('fp8');
    expect(existsSync(join(out, 'adapter', 'adapter_model.safetensors'))).toBe(true);
  });

  it('exits 2 on a loss scale that is not dynamic, none or a positive number', async () => {
    for (const bad of ['0', '-1', 'auto']) {
      const r = await run(['train', '--model', MODEL, '--data', DATA, '--out', join(work, 'out-ls'), '--precision', 'fp16', `--loss-scale=${bad}`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--loss-scale: expected dynamic, none or a positive number/);
    }
    const resumed = await run(['train', '--resume', join(work, 'x'), '--precision', 'fp16', '--emulate']);
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toMatch(/drop --precision, --emulate/);
  });

  it('lists the flags and their defaults in --help', async () => {
    const help = (await run(['--help'])).stdout;
    expect(help).toMatch(/--precision fp32\|bf16\|fp16\|fp8 \(fp32\)/);
    expect(help).toMatch(/--loss-scale dynamic\|none\|N +default dynamic for fp16/);
    expect(help).toMatch(/--emulate/);
  });

  it('bf16 with an explicit loss scale: one emulation line, a warning, the scale in run.json and metrics.jsonl', async () => {
    const out = join(work, 'out-bf16');
    const r = await run(['train', '--model', MODEL, '--data', DATA, '--out', out, '--precision', 'bf16', '--loss-scale', '1024', '--steps', '2', '--threads', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('Precision'))).toEqual([
      'Precision   bf16 runs emulated on CPU — a preview of a GPU run\'s numerics, not faster (loss scale static 1024)',
    ]);
    expect(r.stderr).toMatch(/warning: loss scale static 1024 is not needed with bf16/);
    const info = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(info.params).toMatchObject({ precision: 'bf16', lossScale: 1024 });
    expect(info.precision).toMatchObject({ compute: 'bf16', loss_scale: 1024, emulated: true });
    const rows = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((m) => [m.step, m.loss_scale, m.skipped_steps])).toEqual([[1, 1024, 0], [2, 1024, 0]]);
  }, 180_000);
});

describe('ftstudio eval / export, bad input', () => {
  it('eval requires --model and --data and checks numbers', async () => {
    expect((await run(['eval', '--data', DATA])).stderr).toMatch(/--model is required/);
    const r = await run(['eval', '--model', MODEL, '--data', DATA, '--batch-size', '0', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.message).toBe('--batch-size must be an integer from 1 to 4096, got "0".');
  });

  it('eval reports data errors with the line', async () => {
    const long = join(work, 'long.jsonl');
    writeFileSync(long, `{"input_ids":[1]}\n{"input_ids":${JSON.stringify(Array(40).fill(1))}}\n`);
    const r = await run(['eval', '--model', MODEL, '--data', long, '--max-seq-len', '32']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/long\.jsonl line 2: the row is 40 tokens long, more than maxSeqLen 32/);
  });

  it('export needs a finished run (or --model and --adapter) and a --merged folder', async () => {
    expect((await run(['export', '--run', work])).stderr).toMatch(/--merged is required/);
    expect((await run(['export', '--merged', join(work, 'm')])).stderr).toMatch(/needs --run OUT .*or both --model DIR and --adapter DIR/);
    const r = await run(['export', '--run', join(work, 'no-run'), '--merged', join(work, 'm'), '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.message).toMatch(/has no run\.json/);
    expect(existsSync(join(work, 'm'))).toBe(false);
  });
});
