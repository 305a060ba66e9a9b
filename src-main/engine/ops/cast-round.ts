// CastRound: float32 → fp16 or bf16 → float32, emitted as two ONNX Casts: the rounding of precision/emulate.ts done by
// onnxruntime's own conversion kernels (round-half-even, gradual underflow, ±inf on overflow), 2 nodes instead of 11
// (fp16) or 15 (bf16). A bare Cast pair is kept by onnxruntime 1.30's optimizers (what they drop is the pair of casts
// its CPU provider inserts around an fp16 op it has no kernel for); tests/unit/engine/precision/emulate.test.ts checks
// it bit for bit against formats.ts, and scripts/gpu-check/webgpu-check.ts did on WebGPU for fp16 (H200, 0 mismatches).
// Forward only, like the rounding arithmetic: it sits inside StraightThrough / GradRound, which own the gradient.
// The IR has no bfloat16 dtype, so the intermediate is named here and typed by the Cast's `to` alone.

import type { OpDef } from '../ir/op-def';
import { expectInputs } from './helpers';

export const CAST_ROUND_FORMATS = ['fp16', 'bf16'] as const;
export type CastRoundFormat = (typeof CAST_ROUND_FORMATS)[number];

/** TensorProto.DataType codes (onnx.proto). */
const ONNX_FLOAT = 1;
const ONNX_TYPE: Record<CastRoundFormat, number> = { fp16: 10, bf16: 16 };

export const CastRound: OpDef = {
  name: 'CastRound',
  infer: (inputs, attrs) => {
    expectInputs('CastRound', inputs, 1);
    if (inputs[0].dtype !== 'float32') throw new Error(`CastRound: ${inputs[0]} must be float32`);
    if (!CAST_ROUND_FORMATS.includes(attrs.format as CastRoundFormat)) throw new Error(`CastRound: unknown format '${String(attrs.format)}'`);
    return [{ dtype: 'float32', shape: inputs[0].shape }];
  },
  emit: (node, ctx) => {
    const out = node.outputs[0].name;
    const low = `${out}__${String(node.attrs.format)}`;
    ctx.node('Cast', [node.inputs[0].name], [low], [{ name: 'to', kind: 'int', value: ONNX_TYPE[node.attrs.format as CastRoundFormat] }]);
    ctx.node('Cast', [low], [out], [{ name: 'to', kind: 'int', value: ONNX_FLOAT }]);
  },
};
