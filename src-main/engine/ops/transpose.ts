// Transpose: permutes axes (default: reverse); the gradient applies the inverse permutation.

import type { OpDef } from '../ir/op-def';
import { emitAs, expectInputs, intsAttr, numsAttr, only } from './helpers';

export const Transpose: OpDef = {
  name: 'Transpose',
  infer: (inputs, attrs) => {
    expectInputs('Transpose', inputs, 1);
    const x = inputs[0];
    const perm = numsAttr(attrs, 'perm');
    const sorted = [...perm].sort((p, q) => p - q);
    if (perm.length !== x.rank || sorted.some((p, i) => p !== i)) throw new Error(`Transpose: bad perm [${perm}] for ${x}`);
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }];
  },
  emit: emitAs('Transpose', (n) => [intsAttr('perm', numsAttr(n.attrs, 'perm'))]),
  grad: (g, node, dOut) => {
    const perm = numsAttr(node.attrs, 'perm');
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [g.transpose(only(dOut), inv)];
  },
};
