// Every primitive's gradient rule against float64 central differences (see fd-check.ts for the tolerance).

import { describe, expect, it } from 'vitest';
import { ALL_OPS } from '../../../src-main/engine/ops';
import { checkGradients, FD_TOL } from './fd-check';
import { OP_CASES } from './op-cases';

describe('op gradients vs finite differences', () => {
  for (const c of OP_CASES) {
    it(`${c.ops[0]}: ${c.name}`, async () => {
      const r = await checkGradients(c.build, c.opts);
      for (const err of Object.values(r.errors)) expect(err).toBeLessThanOrEqual(c.opts?.tol ?? FD_TOL);
    });
  }

  it('covers every differentiable primitive', () => {
    const covered = new Set(OP_CASES.flatMap((c) => c.ops));
    const missing = ALL_OPS.filter((op) => op.grad && !covered.has(op.name)).map((op) => op.name);
    expect(missing).toEqual([]);
  });
});
