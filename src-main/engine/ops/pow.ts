// Pow: y = a ^ p (broadcasting); d/da = dy*p*a^(p-1), d/dp = dy*y*ln(a) (only when p needs it).

import type { OpDef } from '../ir/op-def';
import { binaryInfer, emitAs, only, unbroadcast } from './helpers';

export const Pow: OpDef = {
  name: 'Pow',
  infer: binaryInfer('Pow'),
  emit: emitAs('Pow'),
  grad: (g, node, dOut, needs) => {
    const dy = only(dOut);
    const [a, p] = node.inputs;
    const y = node.outputs[0];
    const one = g.scalar(1, a.dtype);
    return [
      needs[0] ? unbroadcast(g, g.mul(g.mul(dy, p), g.pow(a, g.sub(p, one))), a.shape) : null,
      needs[1] ? unbroadcast(g, g.mul(g.mul(dy, y), g.log(a)), p.shape) : null,
    ];
  },
};
