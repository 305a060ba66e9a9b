// Gradient test cases: every differentiable primitive, including broadcasting and symbolic-dim variants.

import { ScaledGradRound } from '../../../src-main/engine/ops/scaled-grad-round';
import { stopGradient } from '../../../src-main/engine/ops/stop-gradient';
import type { BuildFn, FdOptions } from './fd-check';

export interface OpCase {
  /** Primitive(s) whose gradient rule the case exercises. */
  ops: string[];
  name: string;
  build: BuildFn;
  opts?: FdOptions;
}

const ids = (...v: number[]) => BigInt64Array.from(v.map(BigInt));
const pos: [number, number] = [0.5, 2];

export const OP_CASES: OpCase[] = [
  // Elementwise binary, with broadcasting in every direction.
  { ops: ['Add'], name: 'same shape', build: (b) => b.g.add(b.param('a', [3, 4]), b.param('b', [3, 4])) },
  { ops: ['Add'], name: 'rank-broadcast [2,3,4]+[4]', build: (b) => b.g.add(b.param('a', [2, 3, 4]), b.param('b', [4])) },
  { ops: ['Add'], name: 'both broadcast [2,1,4]+[3,1]', build: (b) => b.g.add(b.param('a', [2, 1, 4]), b.param('b', [3, 1])) },
  { ops: ['Add'], name: 'symbolic [B,3]+[3]', build: (b) => b.g.add(b.param('a', [2, 3], { declared: ['B', 3] }), b.param('b', [3])) },
  { ops: ['Sub'], name: '[2,3]-[3]', build: (b) => b.g.sub(b.param('a', [2, 3]), b.param('b', [3])) },
  { ops: ['Sub'], name: '[3,1]-[1,4]', build: (b) => b.g.sub(b.param('a', [3, 1]), b.param('b', [1, 4])) },
  { ops: ['Mul'], name: '[2,3,4]*[3,1]', build: (b) => b.g.mul(b.param('a', [2, 3, 4]), b.param('b', [3, 1])) },
  { ops: ['Mul'], name: 'scalar*[2,3]', build: (b) => b.g.mul(b.param('s', []), b.param('x', [2, 3])) },
  { ops: ['Div'], name: '[2,3]/[3]', build: (b) => b.g.div(b.param('a', [2, 3]), b.param('b', [3], { range: pos })) },
  { ops: ['Div'], name: '[3]/[2,3]', build: (b) => b.g.div(b.param('a', [3]), b.param('b', [2, 3], { range: pos })) },
  { ops: ['Pow'], name: 'base and exponent [2,3]^[3]', build: (b) => b.g.pow(b.param('x', [2, 3], { range: pos }), b.param('p', [3])) },
  { ops: ['Pow'], name: 'constant exponent x^2', build: (b) => b.g.pow(b.param('x', [2, 3]), b.g.scalar(2, 'float64')) },
  { ops: ['Max', 'Greater', 'Less', 'Equal', 'Where'], name: '[3,4] vs [4]', build: (b) => b.g.max(b.param('a', [3, 4]), b.param('b', [4])) },
  // Elementwise unary.
  { ops: ['Neg'], name: 'neg', build: (b) => b.g.neg(b.param('x', [2, 3])) },
  { ops: ['Exp'], name: 'exp', build: (b) => b.g.exp(b.param('x', [2, 3])) },
  { ops: ['Log'], name: 'log', build: (b) => b.g.log(b.param('x', [2, 3], { range: pos })) },
  { ops: ['Sqrt'], name: 'sqrt', build: (b) => b.g.sqrt(b.param('x', [2, 3], { range: pos })) },
  { ops: ['Reciprocal'], name: 'reciprocal', build: (b) => b.g.reciprocal(b.param('x', [2, 3], { range: pos })) },
  { ops: ['Sigmoid'], name: 'sigmoid', build: (b) => b.g.sigmoid(b.param('x', [2, 3], { range: [-3, 3] })) },
  { ops: ['Tanh'], name: 'tanh', build: (b) => b.g.tanh(b.param('x', [2, 3], { range: [-2, 2] })) },
  { ops: ['Sin'], name: 'sin', build: (b) => b.g.sin(b.param('x', [2, 3], { range: [-3, 3] })) },
  { ops: ['Cos'], name: 'cos', build: (b) => b.g.cos(b.param('x', [2, 3], { range: [-3, 3] })) },
  { ops: ['Relu'], name: 'relu (away from the kink)', build: (b) => b.g.relu(b.param('x', [3, 4], { awayFromZero: 0.05 })) },
  { ops: ['Identity'], name: 'identity', build: (b) => b.g.identity(b.param('x', [2, 3])) },
  { ops: ['Abs', 'Sign'], name: 'abs (away from the kink)', build: (b) => b.g.abs(b.param('x', [3, 4], { awayFromZero: 0.05 })) },
  { ops: ['Sign'], name: 'sign: zero gradient', opts: { allowZeroGrad: true }, build: (b) => b.g.mul(b.g.sign(b.param('x', [2, 3], { awayFromZero: 0.05 })), b.param('y', [2, 3])) },
  // value = x + (x·x − x·x) equals x, so the numeric derivative is 1: what the rule must return without walking into
  // value's arithmetic (walking it would add 2x − 2x terms, harmless here, but the rule gives value no gradient at all).
  {
    ops: ['StraightThrough'], name: 'value computed from x',
    build: (b) => {
      const x = b.param('x', [2, 3]);
      return b.g.straightThrough(x, b.g.add(x, b.g.sub(b.g.mul(x, x), b.g.mul(x, x))));
    },
  },
  // Finite differences always see the true derivative, which a stopped gradient differs from by ∂f/∂(stopped value); that
  // term vanishes here ((x − s)² at s = x), so the check covers the forward identity and that the rule adds nothing.
  // That nothing flows through the stop is asserted in tests/unit/engine/nn/dora-graph.test.ts.
  {
    ops: ['StopGradient'], name: 'x·w + (x − stop(x))²',
    build: (b) => {
      const x = b.param('x', [2, 3]);
      const d = b.g.sub(x, stopGradient(b.g, x));
      return b.g.add(b.g.mul(x, b.param('w', [2, 3])), b.g.mul(d, d));
    },
  },
  // GradRound is the identity forward, so the numeric derivative is the upstream gradient R itself (the checker's random
  // float64 weights), while the rule returns R rounded to fp16. Values the format represents pass through the rounding
  // exactly (tests/unit/engine/precision/train-grad-round.test.ts checks that bit for bit); R in [-1, 1) is not such a
  // value, so the difference is at most half an fp16 ulp below 1, 2^-12 ≈ 2.44e-4: the tolerance. A wrong rule errs by O(1).
  { ops: ['GradRound'], name: 'fp16 (tol: half an fp16 ulp)', opts: { tol: 2.5e-4 }, build: (b) => b.g.gradRound(b.param('x', [2, 3]), 'fp16') },
  // ScaledGradRound likewise, with E5M2 (2 mantissa bits) at scale 4: R·4 in [-4, 4) rounds to within half an ulp, 2^-2,
  // which is 2^-4 = 0.0625 after dividing by 4: the tolerance (a wrong rule still errs by O(1)).
  {
    ops: ['ScaledGradRound'], name: 'fp8 E5M2 at scale 4 (tol: half an E5M2 ulp / 4)', opts: { tol: 0.0625 },
    build: (b) => b.g.apply(ScaledGradRound, [b.param('x', [2, 3]), b.g.scalar(4, 'float32')], { format: 'fp8e5m2', amax: 'amax_dy' })[0],
  },
  // Linear algebra.
  { ops: ['MatMul', 'Transpose'], name: '[3,4]@[4,5]', build: (b) => b.g.matmul(b.param('a', [3, 4]), b.param('b', [4, 5])) },
  { ops: ['MatMul'], name: 'batched [2,3,4]@[2,4,5]', build: (b) => b.g.matmul(b.param('a', [2, 3, 4]), b.param('b', [2, 4, 5])) },
  { ops: ['MatMul', 'Reshape'], name: 'linear [2,3,4]@[4,5] (folded weight grad)', build: (b) => b.g.matmul(b.param('a', [2, 3, 4]), b.param('b', [4, 5])) },
  { ops: ['MatMul'], name: 'batch broadcast [2,1,3,4]@[3,4,2]', build: (b) => b.g.matmul(b.param('a', [2, 1, 3, 4]), b.param('b', [3, 4, 2])) },
  { ops: ['MatMul'], name: 'symbolic [B,S,4]@[4,2]', build: (b) => b.g.matmul(b.param('a', [2, 3, 4], { declared: ['B', 'S', 4] }), b.param('b', [4, 2])) },
  { ops: ['MatMul'], name: '[3,4]@[2,4,5] (A broadcast over batch)', build: (b) => b.g.matmul(b.param('a', [3, 4]), b.param('b', [2, 4, 5])) },
  // Layout.
  { ops: ['Transpose'], name: 'perm [2,0,1]', build: (b) => b.g.transpose(b.param('x', [2, 3, 4]), [2, 0, 1]) },
  { ops: ['Reshape'], name: '[2,3,4]→[6,-1]', build: (b) => b.g.reshape(b.param('x', [2, 3, 4]), [6, -1]) },
  { ops: ['Reshape', 'Shape'], name: 'symbolic [B,3,4]→[0,-1]', build: (b) => b.g.reshape(b.param('x', [2, 3, 4], { declared: ['B', 3, 4] }), [0, -1]) },
  { ops: ['Unsqueeze'], name: '[2,3] axes [0,2]', build: (b) => b.g.unsqueeze(b.param('x', [2, 3]), [0, 2]) },
  { ops: ['Squeeze'], name: '[2,1,3] axes [1]', build: (b) => b.g.squeeze(b.param('x', [2, 1, 3]), [1]) },
  { ops: ['Concat', 'Slice'], name: '[2,3]++[2,2] axis 1', build: (b) => b.g.concat([b.param('a', [2, 3]), b.param('b', [2, 2])], 1) },
  {
    ops: ['Concat', 'Slice'], name: 'prefix ++ symbolic [2,2,3]++[2,S,3] axis 1',
    build: (b) => b.g.concat([b.param('p', [2, 2, 3]), b.param('x', [2, 4, 3], { declared: [2, 'S', 3] })], 1),
  },
  { ops: ['Slice', 'Pad'], name: '[4,5][1:3, :]', build: (b) => b.g.slice(b.param('x', [4, 5]), { starts: [1], ends: [3], axes: [0] }) },
  { ops: ['Slice', 'Pad'], name: 'negative bounds [5][-4:-1]', build: (b) => b.g.slice(b.param('x', [5]), { starts: [-4], ends: [-1] }) },
  {
    ops: ['Slice', 'Pad'], name: 'label shift on symbolic S: x[:, :-1] and x[:, 1:]',
    build: (b) => {
      const x = b.param('x', [2, 5, 3], { declared: ['B', 'S', 3] });
      const head = b.g.slice(x, { starts: [0], ends: [-1], axes: [1] });
      const tail = b.g.slice(x, { starts: [1], ends: [2 ** 31 - 1], axes: [1] });
      return b.g.mul(head, tail);
    },
  },
  { ops: ['Pad', 'Slice'], name: 'pads [1,0 | 0,2]', build: (b) => b.g.pad(b.param('x', [2, 3]), [1, 0, 0, 2]) },
  { ops: ['Expand'], name: '[3,1]→[2,3,4]', build: (b) => b.g.expand(b.param('x', [3, 1]), [2, 3, 4]) },
  {
    ops: ['Expand', 'Shape'], name: '[4]→shape of symbolic [B,3,4]',
    build: (b) => b.g.expand(b.param('x', [4]), b.g.shape(b.input('ref', [2, 3, 4], { declared: ['B', 3, 4] }))),
  },
  // Indexing.
  {
    ops: ['Gather', 'ScatterND', 'ConstantOfShape'], name: 'embedding [5,3] with repeated ids',
    build: (b) => b.g.gather(b.param('table', [5, 3]), b.feed('ids', 'int64', [2, 3], ids(0, 4, 4, 2, 0, 4))),
  },
  {
    ops: ['Gather', 'Cast'], name: 'embedding with int32 ids',
    build: (b) => b.g.gather(b.param('table', [4, 2]), b.feed('ids', 'int32', [3], Int32Array.from([3, 1, 3]))),
  },
  {
    ops: ['GatherElements', 'ScatterElements'], name: 'label pick [3,5] axis 1 with repeats',
    build: (b) => b.g.gatherElements(b.param('x', [3, 5]), b.feed('idx', 'int64', [3, 2], ids(1, 1, 4, 0, 2, 3)), 1),
  },
  // Reductions and normalisers.
  { ops: ['ReduceSum'], name: '[2,3,4] axes [1]', build: (b) => b.g.reduceSum(b.param('x', [2, 3, 4]), [1]) },
  { ops: ['ReduceSum'], name: '[2,3,4] axes [0,2] keepdims', build: (b) => b.g.reduceSum(b.param('x', [2, 3, 4]), [0, 2], true) },
  { ops: ['ReduceSum'], name: 'symbolic [B,3] axes [0]', build: (b) => b.g.reduceSum(b.param('x', [4, 3], { declared: ['B', 3] }), [0]) },
  { ops: ['ReduceMean'], name: '[2,3,4] axes [-1]', build: (b) => b.g.reduceMean(b.param('x', [2, 3, 4]), [-1]) },
  {
    ops: ['ReduceMean', 'Size'], name: 'symbolic count [B,S,3] axes [0,1] keepdims',
    build: (b) => b.g.reduceMean(b.param('x', [2, 3, 3], { declared: ['B', 'S', 3] }), [0, 1], true),
  },
  { ops: ['Softmax'], name: 'axis -1', build: (b) => b.g.softmax(b.param('x', [2, 5], { range: [-2, 2] })) },
  { ops: ['Softmax'], name: 'axis 0', build: (b) => b.g.softmax(b.param('x', [3, 4], { range: [-2, 2] }), 0) },
  { ops: ['LogSoftmax'], name: 'axis -1', build: (b) => b.g.logSoftmax(b.param('x', [2, 5], { range: [-2, 2] })) },
  {
    ops: ['Where'], name: 'mask [3,4] with b broadcast [4]',
    build: (b) => b.g.where(b.feed('m', 'bool', [3, 4], Uint8Array.from([1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1])), b.param('a', [3, 4]), b.param('b', [4])),
  },
  {
    ops: ['Where', 'Greater'], name: 'where(a > b, a, b)',
    build: (b) => {
      const [x, y] = [b.param('a', [3, 4]), b.param('b', [3, 4])];
      return b.g.where(b.g.greater(x, y), x, y);
    },
  },
  // Cast: a float32 hop limits precision to ~6e-8 relative, so this case uses eps 1e-3 and tol 1e-4.
  {
    ops: ['Cast'], name: 'float64→float32→float64', opts: { eps: 1e-3, tol: 1e-4 },
    build: (b) => b.g.cast(b.g.mul(b.g.cast(b.param('x', [2, 3]), 'float32'), b.g.scalar(3, 'float32')), 'float64'),
  },
  {
    ops: ['Cast'], name: 'no gradient through an int cast',
    build: (b) => {
      const x = b.param('x', [2, 3], { range: [0.2, 0.8] });
      return b.g.add(x, b.g.cast(b.g.cast(b.g.mul(x, b.g.scalar(10, 'float64')), 'int64'), 'float64'));
    },
  },
];
