// ScaledGradRound(y, scale): y forward (emitted as Identity); backward dy ↦ round_fmt(dy·scale)·(1/scale), the fake-quant
// of the gradient arriving at an fp8 linear's matmul output (Transformer Engine's HYBRID recipe: E5M2 for gradients).
// The rounding saturates, as TE's casts do (its fp8 types convert with __NV_SATFINITE: "values exceeding FP8 range are
// clipped", TE's delayed-scaling docs), and dequantizes with scale_inv = 1/scale in float32 as TE's GEMM does. The rule
// also exposes max|dy| — the tensor's amax for the delayed-scaling history — as the graph output named by the `amax`
// attribute: gradient rules already receive the Graph, so registering an output needs no change to autodiff (the
// output exists in train graphs only, and only where a gradient reaches y). The scale gets no gradient.

import type { OpDef } from '../ir/op-def';
import { roundedValue } from '../precision/emulate';
import { expectFloat, expectInputs, only } from './helpers';
import { ReduceMax } from './reduce-max';

export const SCALED_GRAD_ROUND_FORMATS = ['fp8e4m3', 'fp8e5m2'] as const;
type ScaledFormat = (typeof SCALED_GRAD_ROUND_FORMATS)[number];

export const ScaledGradRound: OpDef = {
  name: 'ScaledGradRound',
  infer: (inputs, attrs) => {
    expectInputs('ScaledGradRound', inputs, 2);
    const [y, s] = inputs;
    expectFloat('ScaledGradRound', y);
    if (s.dtype !== 'float32' || s.shape.length !== 0) throw new Error(`ScaledGradRound: the scale ${s} must be a float32 scalar`);
    if (!SCALED_GRAD_ROUND_FORMATS.includes(attrs.format as ScaledFormat)) throw new Error(`ScaledGradRound: unknown format '${String(attrs.format)}'`);
    if (typeof attrs.amax !== 'string' || attrs.amax === '') throw new Error('ScaledGradRound: give the amax output name');
    return [{ dtype: y.dtype, shape: y.shape }];
  },
  emit: (node, ctx) => ctx.node('Identity', [node.inputs[0].name], [node.outputs[0].name]),
  grad: (g, node, dOut) => {
    const d = only(dOut);
    const s = node.inputs[1];
    // A float64 gradient (finite-difference tests) is rounded through float32, exact for every fp8 value.
    const d32 = g.cast(d, 'float32');
    g.output(g.apply(ReduceMax, [g.abs(d32)])[0], node.attrs.amax as string);
    const q = roundedValue(g, g.mul(d32, s), node.attrs.format as ScaledFormat, 'saturate');
    return [g.cast(g.mul(q, g.reciprocal(s)), d.dtype), null];
  },
};
