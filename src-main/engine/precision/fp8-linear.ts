// An fp8 linear layer, emulated: Transformer Engine's Linear under fp8_autocast with the HYBRID DelayedScaling recipe.
//
// TE casts the layer's input x and weight W to E4M3 with per-tensor scales, runs the GEMM with fp32 accumulation and
// dequantizes with scale_inv, writing the output in the activation dtype (bf16); in the backward it casts the incoming
// gradient dY to E5M2 for both the dgrad and the wgrad GEMM (the bias gradient comes from the bf16 dY). Emulated here:
//   x_q = round_E4M3(x_bf16·s_x)·(1/s_x),  W_q likewise,  y = x_q W_qᵀ (fp32),  dY_q = round_E5M2(dY·s_dy)·(1/s_dy),
// every rounding saturating (TE's casts are __NV_SATFINITE), x and W first being autocast's bf16 copies (lowp) as TE's
// bf16 activations and parameters are, so everything around the matmul is exactly the 'bf16' precision. The gradient
// reaching x and W passes straight through the fp8 quantization, as TE's dgrad/wgrad are taken w.r.t. the bf16 tensors.
// Per layer three float32 scalar graph inputs `fp8_scale.<module>.{x,w,dy}` (the host's delayed scaling feeds them,
// precision/delayed-scaling.ts) and outputs `fp8_amax.<module>.{x,w,dy}` = max|·| of the tensor before scaling (TE's amax;
// the dy one only in train graphs, from the gradient rule of ScaledGradRound).

import type { Graph } from '../ir/graph';
import type { Value } from '../ir/value';
import { lowp } from '../nn/precision';
import { ReduceMax } from '../ops/reduce-max';
import { ScaledGradRound } from '../ops/scaled-grad-round';
import { FP8_AMAX_PREFIX, FP8_SCALE_PREFIX } from './delayed-scaling';
import { roundedValue } from './emulate';

/** v fake-quantized to E4M3 with scale s (gradient straight through), and its amax as the graph output `amaxName`. */
function quantizeForward(g: Graph, v: Value, s: Value, amaxName: string): Value {
  g.output(g.apply(ReduceMax, [g.abs(v)])[0], amaxName);
  return g.straightThrough(v, g.mul(roundedValue(g, g.mul(v, s), 'fp8e4m3', 'saturate'), g.reciprocal(s)));
}

/** y = x Wᵀ (+ b) as an fp8 linear named `module` (its scale inputs and amax outputs carry the name). */
export function fp8Linear(g: Graph, x: Value, w: Value, bias: Value | undefined, module: string): Value {
  const scale = (t: string) => g.input(`${FP8_SCALE_PREFIX}${module}.${t}`, 'float32', []);
  const amax = (t: string) => `${FP8_AMAX_PREFIX}${module}.${t}`;
  const xq = quantizeForward(g, lowp(g, x, 'bf16'), scale('x'), amax('x'));
  const wq = quantizeForward(g, lowp(g, w, 'bf16'), scale('w'), amax('w'));
  const [y] = g.apply(ScaledGradRound, [g.matmul(xq, g.transpose(wq, [1, 0])), scale('dy')], { format: 'fp8e5m2', amax: amax('dy') });
  return lowp(g, bias ? g.add(y, lowp(g, bias, 'bf16')) : y, 'bf16');
}
