// Slice: x[starts:ends:steps] on given axes (steps >= 1); the gradient zero-pads dY back to x's shape.

import type { OpDef } from '../ir/op-def';
import { dimAdd, normAxis } from '../ir/shape';
import type { Attrs, Dim } from '../ir/types';
import type { Value } from '../ir/value';
import { expectInputs, numsAttr, only } from './helpers';

/** Ends at or past this mean "to the end", which is what lets symbolic dims be sliced. */
const BIG = 2 ** 31 - 1;

interface SliceSpec {
  axis: number;
  start: number;
  end: number;
  step: number;
}

function specs(x: Value, attrs: Attrs): SliceSpec[] {
  const starts = numsAttr(attrs, 'starts');
  const ends = numsAttr(attrs, 'ends');
  const axes = attrs.axes ? numsAttr(attrs, 'axes') : starts.map((_, i) => i);
  const steps = attrs.steps ? numsAttr(attrs, 'steps') : starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    throw new Error('Slice: starts/ends/axes/steps lengths differ');
  }
  return starts.map((start, i) => {
    if (!(steps[i] >= 1)) throw new Error('Slice: only positive steps are supported');
    return { axis: normAxis(axes[i], x.rank), start, end: ends[i], step: steps[i] };
  });
}

function slicedDim(d: Dim, { start: s, end: e, step }: SliceSpec): Dim {
  if (typeof d === 'number') {
    const s2 = s < 0 ? Math.max(0, s + d) : Math.min(s, d);
    const e2 = e < 0 ? Math.max(0, e + d) : Math.min(e, d);
    return Math.max(0, Math.ceil((e2 - s2) / step));
  }
  if (step !== 1) throw new Error(`Slice: steps on symbolic dim ${d} are not supported`);
  if (s >= 0 && e >= BIG) return dimAdd(d, -s);
  if (s >= 0 && e < 0) return dimAdd(d, e - s);
  if (s >= 0) return e - s; // assumes d >= e, as the caller asked for it
  if (e >= BIG) return -s;
  if (e < 0) return Math.max(0, e - s);
  throw new Error(`Slice: negative start with non-negative end on symbolic dim ${d}`);
}

/** Zeros to put back before/after a unit-step slice of dim d; symbolic dims need end-relative bounds. */
function padsFor(d: Dim, { start: s, end: e }: SliceSpec): [number, number] {
  const before = s >= 0 ? s : typeof d === 'number' ? Math.max(0, d + s) : NaN;
  let after: number;
  if (e >= BIG) after = 0;
  else if (e < 0) after = typeof d === 'number' ? d - Math.max(0, d + e) : -e;
  else after = typeof d === 'number' ? Math.max(0, d - e) : NaN;
  if (Number.isNaN(before) || Number.isNaN(after)) throw new Error(`Slice grad: cannot derive padding on symbolic dim ${d}`);
  if (typeof d === 'number' && before > d) return [d, 0];
  return [before, after];
}

export const Slice: OpDef = {
  name: 'Slice',
  infer: (inputs, attrs) => {
    expectInputs('Slice', inputs, 1);
    const x = inputs[0];
    const shape = [...x.shape];
    for (const sp of specs(x, attrs)) shape[sp.axis] = slicedDim(x.shape[sp.axis], sp);
    return [{ dtype: x.dtype, shape }];
  },
  emit: (node, ctx) => {
    const sp = specs(node.inputs[0], node.attrs);
    const ins = [node.inputs[0].name, ctx.int64(sp.map((s) => s.start)), ctx.int64(sp.map((s) => s.end)), ctx.int64(sp.map((s) => s.axis))];
    if (sp.some((s) => s.step !== 1)) ins.push(ctx.int64(sp.map((s) => s.step)));
    ctx.node('Slice', ins, [node.outputs[0].name]);
  },
  grad: (g, node, dOut) => {
    const x = node.inputs[0];
    const pads = new Array<number>(2 * x.rank).fill(0);
    for (const sp of specs(x, node.attrs)) {
      if (sp.step !== 1) throw new Error('Slice grad: only unit steps are supported');
      const [b, a] = padsFor(x.shape[sp.axis], sp);
      pads[sp.axis] = b;
      pads[x.rank + sp.axis] = a;
    }
    return [g.pad(only(dOut), pads)];
  },
};
