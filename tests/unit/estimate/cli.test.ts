// `ftstudio estimate`: documented JSON fields, human output, exit 2 on bad flags; the calibration hooks.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src-main/cli/main';
import { measureMatmulGflops } from '../../../src-main/engine/jobs/calibrate-matmul';
import { measuredTokensPerSecond } from '../../../src-main/estimate/calibrate';

const ROOT = resolve(__dirname, '../../..');
const work = mkdtempSync(join(os.tmpdir(), 'ftstudio-estimate-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('ftstudio estimate', () => {
  it('--catalog-model … --json returns the documented fields', async () => {
    const r = await run(['estimate', '--catalog-model', 'Llama-2-7B', '--profile', 'pytorch-peft', '--device', 'a100-80gb-sxm', '--rank', '8',
      '--targets', 'q_proj,v_proj', '--batch-size', '2', '--seq-len', '512', '--checkpointing', '--tokens', '1000000', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(expect.arrayContaining(['input', 'spec', 'device', 'memory', 'verdict', 'fixes', 'time', 'cost']));
    expect(j.input).toMatchObject({ method: 'lora', precision: 'bf16', batchSize: 2, seqLen: 512, checkpointing: true, profile: 'pytorch-peft', device: 'a100-80gb-sxm' });
    expect(j.memory.components.map((c: { key: string }) => c.key)).toEqual(['weights', 'trainableParams', 'gradients', 'optimizerState', 'masterWeights',
      'activations', 'logits', 'loraIntermediates', 'workspace', 'allocatorSlack', 'runtime']);
    expect(j.verdict).toMatchObject({ status: 'fits' });
    expect(j.verdict.marginBytes).toBeGreaterThan(0);
    expect(j.time.totalSeconds).toBeGreaterThan(0);
    expect(j.cost.energyKwh).toBeGreaterThan(0);
    expect(j.cost.cloudCost).toBeGreaterThan(0);
  });

  it('reads --model DIR, prints a readable report, and lists fixes when it does not fit', async () => {
    const dir = join(work, 'model');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'], hidden_size: 4096, intermediate_size: 11008, num_hidden_layers: 32, num_attention_heads: 32, vocab_size: 32000, torch_dtype: 'float16' }));
    const r = await run(['estimate', '--model', dir, '--profile', 'pytorch-peft', '--device', 't4', '--precision', 'fp16', '--batch-size', '8', '--seq-len', '2048']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Verdict {5}OUT OF MEMORY: margin -/);
    expect(r.stdout).toMatch(/fix 1: /);
    expect(r.stdout).toMatch(/weights +13\.48 GB/);
  });

  it('rejects bad flags with exit code 2 and a clear message', async () => {
    const cases: [string[], RegExp][] = [
      [['estimate', '--json'], /exactly one of --model DIR .* or --catalog-model NAME/],
      [['estimate', '--catalog-model', 'Llama-2-7B', '--model', work, '--json'], /exactly one of/],
      [['estimate', '--catalog-model', 'gpt-9', '--json'], /not in the catalog \(Llama-2-7B/],
      [['estimate', '--catalog-model', 'Llama-2-7B', '--batch-size', '0', '--json'], /--batch-size must be an integer from 1/],
      [['estimate', '--catalog-model', 'Llama-2-7B', '--precision', 'fp8', '--json'], /--precision must be one of fp32, fp16, bf16/],
      [['estimate', '--catalog-model', 'Llama-2-7B', '--targets', 'q_proj,wq', '--json'], /--targets must be all-linear or a comma list/],
      [['estimate', '--catalog-model', 'Llama-2-7B', '--device', 'tpu-v9', '--json'], /unknown device "tpu-v9"/],
      [['estimate', '--catalog-model', 'Llama-2-7B', '--model', join(work, 'missing'), '--json'], /exactly one of/],
      [['estimate', '--model', join(work, 'missing'), '--json'], /not a Hugging Face model folder/],
      [['estimate', '--catalog-model', 'Llama-2-7B', '--port', '80', '--json'], /estimate has no option --port/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(JSON.parse(r.stdout).error.message, argv.join(' ')).toMatch(message);
    }
  });

  it('--list-devices lists the catalog', async () => {
    const r = await run(['estimate', '--list-devices', '--json']);
    expect(JSON.parse(r.stdout).gpus.length).toBeGreaterThanOrEqual(12);
  });

  it('runs as a real process through bin/ftstudio.js', () => {
    const stdout = execFileSync(process.execPath, [join(ROOT, 'bin/ftstudio.js'), 'estimate', '--catalog-model', 'Qwen3-0.6B', '--seq-len', '256', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    const j = JSON.parse(stdout);
    expect(j.device.kind).toBe('cpu');
    expect(j.input.profile).toBe('ours');
    expect(j.time).toBeNull(); // no --calibrate: the CPU's rate is unknown
  });
});

describe('calibration', () => {
  it('measures this CPU\'s MatMul GFLOP/s through our runtime within its budget', async () => {
    const c = await measureMatmulGflops(1, 0.2, 128);
    expect(c.gflops).toBeGreaterThan(0.1);
    expect(c.runs).toBeGreaterThanOrEqual(3);
    expect(c.seconds).toBeLessThan(10);
  });

  it('takes the median tokens/s of a run\'s steps after the first', () => {
    const dir = join(work, 'run');
    mkdirSync(dir, { recursive: true });
    const rows = [900, 100, 120, 110, 130].map((tps, i) => JSON.stringify({ step: i + 1, loss: 2, tokens_per_s: tps }));
    writeFileSync(join(dir, 'metrics.jsonl'), [...rows, JSON.stringify({ step: 5, eval_loss: 1.9 }), '{"torn'].join('\n'));
    expect(measuredTokensPerSecond(dir)).toBe(120);
    expect(measuredTokensPerSecond(join(work, 'nowhere'))).toBeNull();
  });
});
