// ftstudio train → eval → export as real processes on a tiny model; Ctrl+C then --resume; and the check: the
// exported adapter and the merged model, loaded by the PyTorch reference, give the eval loss the engine reported (1e-5).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prng } from '../../../src-main/engine/nn';
import { hasTorch, runReference } from '../../reference/reference';
import { TINY_MODELS, writeTinyModel } from '../../reference/tiny-models';

const ROOT = resolve(__dirname, '../../..');
const BIN = join(ROOT, 'bin/ftstudio.js');
const work = mkdtempSync(join(tmpdir(), 'ftstudio-train-run-'));
const env = { ...process.env, FTSTUDIO_HOME: join(work, 'home') };
const MODEL = join(work, 'model');
const TRAIN = join(work, 'train.jsonl');
const EVAL = join(work, 'eval.jsonl');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Equal-length rows (so the reference needs no padding), prompts of different lengths masked. */
function rows(count: number, seed: number, S = 12): { input_ids: number[]; labels: number[] }[] {
  const rng = new Prng(seed);
  return Array.from({ length: count }, (_, b) => {
    const ids = Array.from({ length: S }, () => 1 + (rng.nextU32() % 255));
    return { input_ids: ids, labels: ids.map((v, t) => (t < 1 + (b % 4) ? -100 : v)) };
  });
}
const evalRows = rows(4, 2);

beforeAll(() => {
  writeTinyModel(MODEL, TINY_MODELS.find((m) => m.id === 'llama')!);
  writeFileSync(TRAIN, rows(12, 1).map((r) => JSON.stringify(r)).join('\n'));
  writeFileSync(EVAL, evalRows.map((r) => JSON.stringify(r)).join('\n'));
});

function cli(args: string[], timeout = 120_000) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function metrics(runDir: string): Record<string, number>[] {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

describe('ftstudio train → eval → export', () => {
  const out = join(work, 'run');
  const merged = join(work, 'merged');
  let summary: Record<string, unknown>;

  it('trains to completion and prints the JSON summary', () => {
    // Paths in run.yaml are relative to it; --steps replaces its epochs, --lr its lr.
    const yaml = join(work, 'run.yaml');
    writeFileSync(yaml, 'model: model\ndata: train.jsonl\neval_data: eval.jsonl\nepochs: 3\nrank: 4\nlr: 1e-3\nbatch_size: 2\n');
    const r = cli(['train', '--config', yaml, '--steps', '4', '--lr', '1e-2', '--save-every', '2', '--threads', '1', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ run_dir: out, steps: 4, state: 'completed', adapter_dir: join(out, 'adapter'), final_loss: expect.any(Number), eval_loss: expect.any(Number) });
    expect(readdirSync(out).sort()).toEqual(expect.arrayContaining(['adapter', 'checkpoints', 'data', 'metrics.jsonl', 'run.json']));
    expect(metrics(out).filter((m) => 'loss' in m).map((m) => m.step)).toEqual([1, 2, 3, 4]);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).config).toMatchObject({ model: MODEL, steps: 4, epochs: null, lr: 1e-2, rank: 4, batch_size: 2 });
  });

  it('eval with the adapter reproduces the eval loss the run reported', () => {
    const r = cli(['eval', '--model', MODEL, '--adapter', join(out, 'adapter'), '--data', EVAL, '--batch-size', '2', '--threads', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(Math.abs(e.loss - (summary.eval_loss as number))).toBeLessThan(1e-6);
    expect(e.tokens).toBe(evalRows.reduce((n, row) => n + row.labels.slice(1).filter((l) => l !== -100).length, 0));
    expect(e.ppl).toBeCloseTo(Math.exp(e.loss), 10);
  });

  it('the other methods through the same command: P-tuning, prefix tuning and PLoRA train, and eval with their adapter reproduces the run\'s eval loss', () => {
    for (const [method, extra] of [
      ['ptuning', ['--virtual-tokens', '4', '--encoder', 'lstm', '--encoder-hidden', '8']],
      ['prefix', ['--virtual-tokens', '4', '--encoder', 'mlp', '--encoder-hidden', '16']],
      ['plora', ['--stages', '2', '--rank', '2']],
    ] as const) {
      const dir = join(work, `run-${method}`);
      const r = cli(['train', '--model', MODEL, '--data', TRAIN, '--eval-data', EVAL, '--method', method, ...extra, '--steps', '4', '--batch-size', '2', '--threads', '1', '--out', dir, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const run = JSON.parse(r.stdout);
      expect(run).toMatchObject({ state: 'completed', adapter_dir: join(dir, 'adapter') });
      const e = cli(['eval', '--model', MODEL, '--adapter', run.adapter_dir, '--data', EVAL, '--batch-size', '2', '--threads', '1', '--json']);
      expect(e.code, e.stderr).toBe(0);
      expect(Math.abs(JSON.parse(e.stdout).loss - run.eval_loss), method).toBeLessThan(1e-6);
    }
    // A setting of another method is an error that names it, not silently ignored.
    const bad = cli(['train', '--model', MODEL, '--data', TRAIN, '--stages', '3', '--out', join(work, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--stages applies only with method plora/);
  }, 240_000);

  it('export writes a merged folder in the base dtype', () => {
    const r = cli(['export', '--run', out, '--merged', merged, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ merged_dir: merged, base_model: MODEL, modules: 14, dtypes: ['F32'], files: ['config.json', 'model.safetensors'] });
    const again = cli(['export', '--run', out, '--merged', merged]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is not empty/);
  });

  it.skipIf(!hasTorch)('the exported adapter and the merged model, loaded by the PyTorch reference, give the engine\'s eval loss (1e-5)', () => {
    const cfg = JSON.parse(readFileSync(join(out, 'adapter', 'adapter_config.json'), 'utf8'));
    const batch = { input_ids: evalRows.map((r) => r.input_ids), labels: evalRows.map((r) => r.labels), dtypes: ['float32' as const], grad_weights: true };
    const ref = runReference([
      { id: 'merged', model_dir: merged, lora: null, ...batch },
      { id: 'adapter', model_dir: MODEL, lora: { r: cfg.r, alpha: cfg.lora_alpha, targets: cfg.target_modules, file: join(out, 'adapter', 'adapter_model.safetensors') }, ...batch },
    ], work);
    const engine = summary.eval_loss as number;
    expect(Math.abs(ref.adapter.float32!.loss - engine) / engine).toBeLessThan(1e-5);
    expect(Math.abs(ref.merged.float32!.loss - engine) / engine).toBeLessThan(1e-5);
  });
});

describe('Ctrl+C and --resume', () => {
  it('stops at a checkpoint on SIGINT (exit 130) and --resume finishes the same run', async () => {
    const out = join(work, 'run-cancel');
    const child = spawn(process.execPath, [BIN, 'train', '--model', MODEL, '--data', TRAIN, '--steps', '400', '--rank', '2', '--threads', '1', '--out', out], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((done) => {
      child.stdout.on('data', (d) => {
        const first = !/^step /m.test(stdout);
        stdout += d;
        if (first && /^step /m.test(stdout)) child.kill('SIGINT'); // the CLI only: the engine must hear it from main
      });
      child.on('close', (c) => done(c));
    });
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/Stopping after the current step; a checkpoint is saved \(resume with: ftstudio train --resume /);
    expect(stderr).toMatch(/cancelled at step \d+; continue with: ftstudio train --resume/);
    expect(existsSync(join(out, 'checkpoints', 'latest.json'))).toBe(true);
    expect(existsSync(join(out, 'adapter'))).toBe(false);
    const stoppedAt = JSON.parse(readFileSync(join(out, 'checkpoints', 'latest.json'), 'utf8')).step as number;
    expect(stoppedAt).toBeLessThan(400);

    const r = cli(['train', '--resume', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ steps: 400, state: 'completed', adapter_dir: join(out, 'adapter') });
    const steps = metrics(out).filter((m) => 'loss' in m).map((m) => m.step);
    expect(steps).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
  });

  // A terminal's Ctrl+C signals the whole foreground process group, engine included: the engine must leave the
  // decision to main (which sends it a cancel message), or it dies at once and no checkpoint is written.
  it('Ctrl+C in a terminal (SIGINT to the process group) also stops at a checkpoint', async () => {
    const out = join(work, 'run-cancel-group');
    const child = spawn(process.execPath, [BIN, 'train', '--model', MODEL, '--data', TRAIN, '--steps', '400', '--rank', '2', '--threads', '1', '--out', out], { cwd: ROOT, env, detached: true });
    let stdout = '';
    const code = await new Promise<number | null>((done) => {
      child.stdout.on('data', (d) => {
        const first = !/^step /m.test(stdout);
        stdout += d;
        if (first && /^step /m.test(stdout)) process.kill(-child.pid!, 'SIGINT');
      });
      child.on('close', (c) => done(c));
    });
    expect(code).toBe(130);
    expect(existsSync(join(out, 'checkpoints', 'latest.json'))).toBe(true);
  });
});
