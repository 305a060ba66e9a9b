// Serialized models pass Debian's ONNX checker (python3-onnx 1.12, full_check with strict shape inference).

import { onnxCheck } from '../../reference/onnx-checker';
import { pythonHas } from '../../reference/python-modules';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Graph, tensor } from '../../../src-main/engine/ir';
import { serializeModel } from '../../../src-main/engine/onnx';
import { frozenMiddle, lora, mlp } from './composites';
import { gradientModel } from './fd-check';
import { OP_CASES } from './op-cases';

const hasOnnx = pythonHas('onnx');
const dir = mkdtempSync(join(tmpdir(), 'engine-checker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));



describe.skipIf(!hasOnnx)('ONNX checker (skipped: /usr/bin/python3 has no onnx module)', () => {
  it('accepts the forward+backward model of every op case', async () => {
    const files: string[] = [];
    for (const [i, c] of OP_CASES.entries()) {
      const f = join(dir, `case-${i}.onnx`);
      writeFileSync(f, (await gradientModel(c.build)).model);
      files.push(f);
    }
    const lines = onnxCheck(files);
    expect(lines.filter((l) => !l.startsWith('OK'))).toEqual([]);
    expect(lines).toHaveLength(OP_CASES.length);
  });

  it('accepts the composite models (MLP + cross-entropy, LoRA, frozen middle layer)', async () => {
    const files = [];
    for (const [name, build] of Object.entries({ mlp, lora, frozenMiddle })) {
      const f = join(dir, `${name}.onnx`);
      writeFileSync(f, (await gradientModel(build)).model);
      files.push(f);
    }
    expect(onnxCheck(files).filter((l) => !l.startsWith('OK'))).toEqual([]);
  });

  it('accepts a model with an external initializer at an offset', () => {
    writeFileSync(join(dir, 'w.bin'), Buffer.alloc(8 + 16));
    const g = new Graph();
    const x = g.input('x', 'float32', ['N', 4]);
    const w = g.external('w', 'float32', [4], { location: 'w.bin', offset: 8, length: 16 });
    g.output(g.add(x, w), 'y');
    writeFileSync(join(dir, 'ext.onnx'), serializeModel(g));
    expect(onnxCheck([join(dir, 'ext.onnx')])[0]).toMatch(/^OK/);
  });

  it('rejects a model whose node reads an undefined value', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2]);
    g.output(g.add(x, g.constant(tensor('float32', [2], [1, 2]))), 'y');
    const bytes = serializeModel(g);
    // Corrupt the constant's output name in place (same length keeps the protobuf valid).
    const s = Buffer.from(bytes);
    const at = s.indexOf('constant_0');
    expect(at).toBeGreaterThan(0);
    s.write('xonstant_0', at);
    writeFileSync(join(dir, 'broken.onnx'), s);
    expect(onnxCheck([join(dir, 'broken.onnx')])[0]).toMatch(/^FAIL/);
  });
});
