// Concat: joins tensors along one axis; each input's gradient is its slice of dY.

import type { OpDef } from '../ir/op-def';
import { normAxis } from '../ir/shape';
import type { Dim } from '../ir/types';
import { emitAs, intAttr, numAttr, only } from './helpers';

const TO_END = Number.MAX_SAFE_INTEGER;

export const Concat: OpDef = {
  name: 'Concat',
  infer: (inputs, attrs) => {
    if (inputs.length < 1) throw new Error('Concat: no inputs');
    const first = inputs[0];
    const axis = normAxis(numAttr(attrs, 'axis'), first.rank);
    let total: Dim = 0;
    const syms: string[] = [];
    for (const v of inputs) {
      if (v.dtype !== first.dtype || v.rank !== first.rank) throw new Error(`Concat: ${v} does not match ${first}`);
      const d = v.shape[axis];
      if (typeof d === 'number') total += d;
      else syms.push(d);
    }
    if (syms.length > 0) total = [...syms, ...(total ? [String(total)] : [])].join('+');
    return [{ dtype: first.dtype, shape: first.shape.map((d, i) => (i === axis ? total : d)) }];
  },
  emit: emitAs('Concat', (n) => [intAttr('axis', normAxis(numAttr(n.attrs, 'axis'), n.inputs[0].rank))]),
  // Offsets must be static; only the last input may have a symbolic size (it slices to the end).
  grad: (g, node, dOut, needs) => {
    const dy = only(dOut);
    const axis = normAxis(numAttr(node.attrs, 'axis'), dy.rank);
    let start = 0;
    return node.inputs.map((v, i) => {
      const size = v.shape[axis];
      const last = i === node.inputs.length - 1;
      if (typeof size !== 'number' && !last) throw new Error(`Concat grad: symbolic size of ${v} before the last input`);
      const end = typeof size === 'number' ? start + size : TO_END;
      const r = needs[i] ? g.slice(dy, { starts: [start], ends: [end], axes: [axis] }) : null;
      start = end;
      return r;
    });
  },
};
