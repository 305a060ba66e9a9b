// LoRA dropout in the graphs: only train graphs with p > 0 get the two scalar inputs and the hash, p = 0 graphs are
// byte-identical to graphs without a dropout setting, no hash op is differentiated, and the ONNX checker accepts them.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEvalGraph, buildTrainGraph, type LoraConfig } from '../../../../src-main/engine/nn';
import { PYTHON } from '../../../reference/reference';
import { pythonHas } from '../../../reference/python-modules';
import { TINY_MODELS } from '../../../reference/tiny-models';
import { LORA, prepare } from './fixtures';

const work = mkdtempSync(join(tmpdir(), 'nn-dropout-graph-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const model = (id: string) => prepare(work, TINY_MODELS.find((m) => m.id === id) as (typeof TINY_MODELS)[number]);
const DROP: LoraConfig = { ...LORA, dropout: 0.1 };
const HASH_OPS = new Set(['Mod', 'Less']);

describe('LoRA dropout graphs', () => {
  it('p = 0 (or absent): no dropout inputs, and the same bytes as before the option existed', () => {
    const p = model('qwen3');
    const none = buildTrainGraph(p.spec, p.weights, { lora: LORA });
    const zero = buildTrainGraph(p.spec, p.weights, { lora: { ...LORA, dropout: 0 } });
    expect(zero.dropout).toBeNull();
    expect(zero.graph.inputs.map((v) => v.name)).not.toContain('lora_dropout_seed');
    expect(Buffer.from(zero.serialize()).equals(Buffer.from(none.serialize()))).toBe(true);
    expect(zero.graph.nodes.some((n) => n.op.name === 'Mod')).toBe(false);
  });

  it('p > 0: the train graph takes seed and counter, the eval graph neither nor any hash op', () => {
    const p = model('qwen3');
    const train = buildTrainGraph(p.spec, p.weights, { lora: DROP });
    expect(train.dropout).toEqual({ seed: 'lora_dropout_seed', step: 'lora_dropout_step' });
    expect(train.graph.inputs.slice(0, 4).map((v) => [v.name, v.dtype, v.shape.length])).toEqual([
      ['input_ids', 'int64', 2], ['labels', 'int64', 2], ['lora_dropout_seed', 'int64', 0], ['lora_dropout_step', 'int64', 0],
    ]);
    const evalG = buildEvalGraph(p.spec, p.weights, { lora: DROP });
    expect(evalG.dropout).toBeNull();
    expect(evalG.graph.inputs.map((v) => v.name)).not.toContain('lora_dropout_seed');
    expect(evalG.graph.nodes.some((n) => n.op.name === 'Mod')).toBe(false);
    expect(Buffer.from(evalG.serialize()).equals(Buffer.from(buildEvalGraph(p.spec, p.weights, { lora: LORA }).serialize()))).toBe(true);
  });

  it('no gradient flows into the hash: every hash op lies in the forward part, before the loss', () => {
    // Mod has no gradient rule, so buildTrainGraph would already throw if autodiff needed one; this also shows that
    // the backward pass adds no hash nodes (the masks are constants w.r.t. the parameters).
    const p = model('llama');
    const train = buildTrainGraph(p.spec, p.weights, { lora: DROP });
    const lossAt = train.graph.nodes.findIndex((n) => n.outputs.some((o) => o.name === 'loss_sum'));
    const hashAt = train.graph.nodes.flatMap((n, i) => (HASH_OPS.has(n.op.name) && n.outputs[0].dtype !== 'float32' ? [i] : []));
    expect(lossAt).toBeGreaterThan(0);
    expect(hashAt.length).toBeGreaterThan(0);
    expect(Math.max(...hashAt)).toBeLessThan(lossAt);
  });
});

describe.skipIf(!pythonHas('onnx'))('ONNX checker on dropout graphs (skipped: no python3-onnx)', () => {
  it('accepts LoRA train graphs with dropout (bf16 llama, qwen3) and the mask debug outputs', () => {
    const files: string[] = [];
    for (const [id, masks] of [['llama-bf16', false], ['qwen3', true]] as const) {
      const p = model(id);
      const f = join(p.graphDir, 'train-dropout.onnx');
      writeFileSync(f, buildTrainGraph(p.spec, p.weights, { lora: DROP, dropoutMasks: masks }).serialize());
      files.push(f);
    }
    const script = `
import onnx, sys
for f in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(f), full_check=True)
        print("OK", f)
    except Exception as e:
        print("FAIL", f, str(e).replace("\\n", " ")[:400])
`;
    const lines = execFileSync(PYTHON, ['-c', script, ...files], { encoding: 'utf8' }).trim().split('\n');
    expect(lines.filter((l) => !l.startsWith('OK'))).toEqual([]);
    expect(lines).toHaveLength(files.length);
  });
});
