// LoRA merge into a Hugging Face folder: values, dtypes, layout and side files, and the refusals that protect the base.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoraConfig } from '../../../src-main/engine/nn';
import { checkpointTensors } from '../../../src-main/engine/io/checkpoint-files';
import { readModelConfig } from '../../../src-main/models/hf/config';
import { decodeFloats, mergeAdapter, toBFloat16Bits } from '../../../src-main/models/merge';
import { loraPairs, readPeftAdapter, writePeftAdapter } from '../../../src-main/models/peft';
import { readSafetensorsHeader, readTensorBytes } from '../../../src-main/models/safetensors';
import { writeRandomAdapter } from '../../reference/export/random-adapter';
import { bf16Bits, TINY_MODELS, writeTinyModel } from '../../reference/tiny-models';

const work = mkdtempSync(join(tmpdir(), 'ftstudio-merge-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const model = (id: string) => TINY_MODELS.find((m) => m.id === id)!;
const SIDE_FILES: Record<string, string> = {
  'tokenizer.json': '{"version":"1.0"}', 'tokenizer_config.json': '{"eos_token":"</s>"}', 'special_tokens_map.json': '{}',
  'generation_config.json': '{"do_sample":false}', 'merges.txt': '#version: 0.2\n', 'vocab.json': '{}',
};

function folderHash(dir: string): string {
  const h = createHash('sha256');
  for (const f of readdirSync(dir).sort()) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest('hex');
}

/** Half a unit in the last place of the stored dtype, relative: the most a correct single rounding may move a value. */
const HALF_ULP = { F32: 2 ** -24, F16: 2 ** -11, BF16: 2 ** -8 } as const;
/** Half the spacing of the subnormals, where the relative bound does not hold (f16 reaches them with small weights). */
const HALF_SUBNORMAL = { F32: 2 ** -150, F16: 2 ** -25, BF16: 2 ** -134 } as const;

interface Case { id: string; cfg: LoraConfig }
const CASES: Case[] = [
  { id: 'llama', cfg: { r: 4, alpha: 8, targets: 'all-linear' } },
  { id: 'llama-bf16', cfg: { r: 4, alpha: 16, targets: ['q_proj', 'v_proj', 'down_proj'] } },
  { id: 'qwen2-f16', cfg: { r: 2, alpha: 3, targets: 'all-linear' } },
  { id: 'qwen3-sharded', cfg: { r: 8, alpha: 16, targets: ['o_proj', 'gate_proj'] } },
];

describe.each(CASES)('merge $id', ({ id, cfg }) => {
  const base = join(work, id, 'base');
  const adapterDir = join(work, id, 'adapter');
  const out = join(work, id, 'merged');
  let before = '';
  beforeAll(() => {
    writeTinyModel(base, model(id));
    for (const [f, text] of Object.entries(SIDE_FILES)) writeFileSync(join(base, f), text);
    writeRandomAdapter(adapterDir, readModelConfig(base), cfg, 7);
    before = folderHash(base);
  });

  it('writes W + (alpha/r)·B·A rounded once to the base dtype, and leaves every other tensor byte for byte', () => {
    const summary = mergeAdapter({ baseDir: base, adapterDir, outDir: out });
    const adapter = readPeftAdapter(adapterDir);
    const pairs = new Map(loraPairs(adapter).map((p) => [`${p.module}.weight`, p]));
    expect(summary.modules.length).toBe(pairs.size);
    const scale = cfg.alpha / cfg.r;
    const baseT = checkpointTensors(base);
    const mergedT = checkpointTensors(out);
    expect([...mergedT.keys()]).toEqual([...baseT.keys()]);
    for (const [name, loc] of baseT) {
      const got = mergedT.get(name)!;
      expect({ dtype: got.dtype, shape: got.shape, offset: got.offset }).toEqual({ dtype: loc.dtype, shape: loc.shape, offset: loc.offset });
      const pair = pairs.get(name);
      if (!pair) {
        expect(readTensorBytes(got).equals(readTensorBytes(loc))).toBe(true);
        continue;
      }
      const w = decodeFloats(readTensorBytes(loc), loc.dtype as 'F32');
      const m = decodeFloats(readTensorBytes(got), got.dtype as 'F32');
      const [r, inF] = pair.a.shape;
      let changed = 0;
      for (let o = 0; o < pair.b.shape[0]; o++) {
        for (let i = 0; i < inF; i++) {
          let d = 0;
          for (let k = 0; k < r; k++) d += pair.b.data[o * r + k] * pair.a.data[k * inF + i];
          const exact = w[o * inF + i] + scale * d;
          const err = Math.abs(m[o * inF + i] - exact);
          const dt = loc.dtype as 'F32';
          expect(err).toBeLessThanOrEqual(HALF_ULP[dt] * Math.abs(exact) * 1.0001 + HALF_SUBNORMAL[dt]);
          if (m[o * inF + i] !== w[o * inF + i]) changed++;
        }
      }
      expect(changed).toBeGreaterThan(0.5 * w.length); // the update is really there
    }
  });

  it('copies the index, config and tokenizer files; same shards; the base folder is untouched', () => {
    const files = readdirSync(out).sort();
    const shards = readdirSync(base).filter((f) => f.endsWith('.safetensors')).sort();
    expect(files).toEqual(readdirSync(base).sort());
    expect(shards.length).toBe(model(id).sharded ? 2 : 1);
    for (const f of ['config.json', ...Object.keys(SIDE_FILES), ...(model(id).sharded ? ['model.safetensors.index.json'] : [])]) {
      expect(readFileSync(join(out, f)).equals(readFileSync(join(base, f))), f).toBe(true);
    }
    for (const s of shards) expect(readSafetensorsHeader(join(out, s)).metadata).toEqual(readSafetensorsHeader(join(base, s)).metadata);
    expect(folderHash(base)).toBe(before);
  });
});

describe('merge refusals', () => {
  const base = join(work, 'refuse', 'base');
  const adapterDir = join(work, 'refuse', 'adapter');
  beforeAll(() => {
    writeTinyModel(base, model('llama'));
    writeRandomAdapter(adapterDir, readModelConfig(base), { r: 2, alpha: 4, targets: ['q_proj'] }, 3);
  });

  it('never writes into the base model folder, nor into a non-empty folder', () => {
    expect(() => mergeAdapter({ baseDir: base, adapterDir, outDir: base })).toThrow(/inside the base model folder/);
    expect(() => mergeAdapter({ baseDir: base, adapterDir, outDir: join(base, 'merged') })).toThrow(/inside the base model folder/);
    const busy = join(work, 'refuse', 'busy');
    mkdirSync(busy, { recursive: true });
    writeFileSync(join(busy, 'x'), '');
    expect(() => mergeAdapter({ baseDir: base, adapterDir, outDir: busy })).toThrow(/is not empty/);
    expect(readdirSync(base).sort()).toEqual(['config.json', 'model.safetensors']);
  });

  it('names the module when the adapter belongs to another model, and leaves no output', () => {
    const other = join(work, 'refuse', 'qwen3');
    writeTinyModel(other, model('qwen3'));
    const foreign = join(work, 'refuse', 'foreign-adapter');
    writeRandomAdapter(foreign, readModelConfig(other), { r: 2, alpha: 4, targets: ['q_proj'] }, 3);
    const out = join(work, 'refuse', 'out-foreign');
    expect(() => mergeAdapter({ baseDir: base, adapterDir: foreign, outDir: out })).toThrow(/model\.layers\.0\.self_attn\.q_proj\.weight is \[64,64\] but the adapter's update B·A is \[128, 64\]/);
    expect(existsSync(out)).toBe(false);
    const extra = join(work, 'refuse', 'extra-adapter');
    const t = readPeftAdapter(adapterDir);
    t.tensors.set('base_model.model.model.layers.9.mlp.up_proj.lora_A.weight', { shape: [2, 64], data: new Float32Array(128) });
    t.tensors.set('base_model.model.model.layers.9.mlp.up_proj.lora_B.weight', { shape: [128, 2], data: new Float32Array(256) });
    writePeftAdapter(extra, t.config, t.tensors);
    expect(() => mergeAdapter({ baseDir: base, adapterDir: extra, outDir: out })).toThrow(/has no tensor model\.layers\.9\.mlp\.up_proj\.weight/);
    t.tensors.delete('base_model.model.model.layers.9.mlp.up_proj.lora_B.weight');
    expect(() => loraPairs(t)).toThrow(/up_proj has lora_A but no lora_B/);
  });
});

it('rounds float32 to bfloat16 to nearest even, as torch does, and keeps NaN a NaN', () => {
  const values = [0, -0, 1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.14159, -2.5e-20, 6e30, Infinity, -Infinity, 1.00390625, 1.01171875];
  for (const v of values) expect(toBFloat16Bits(v)).toBe(bf16Bits(v));
  expect(toBFloat16Bits(1 + 2 ** -8)).toBe(0x3f80); // a tie rounds to the even mantissa
  expect(toBFloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
  const nan = toBFloat16Bits(NaN);
  expect((nan & 0x7f80) === 0x7f80 && (nan & 0x7f) !== 0).toBe(true);
});
