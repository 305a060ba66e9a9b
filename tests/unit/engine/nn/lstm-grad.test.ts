// The unrolled bidirectional LSTM (nn/lstm.ts) against central finite differences in float64: every weight, bias and
// the input, through both layers and directions (back-propagation through time composed from the ops' own rules).

import { describe, expect, it } from 'vitest';
import { bidirectionalLstm, type LstmLayerWeights } from '../../../../src-main/engine/nn/lstm';
import { checkGradients, FD_TOL, type FdBuilder } from '../fd-check';

const T = 3;
const IN = 4;
const HID = 3;

function lstm(b: FdBuilder) {
  const x = b.param('x', [T, IN]);
  const layers: LstmLayerWeights[] = [0, 1].map((l) => {
    const inF = l === 0 ? IN : 2 * HID;
    const dir = (sfx: string) => ({
      wIh: b.param(`weight_ih_l${l}${sfx}`, [4 * HID, inF]),
      wHh: b.param(`weight_hh_l${l}${sfx}`, [4 * HID, HID]),
      bIh: b.param(`bias_ih_l${l}${sfx}`, [4 * HID]),
      bHh: b.param(`bias_hh_l${l}${sfx}`, [4 * HID]),
    });
    return [dir(''), dir('_reverse')];
  });
  return bidirectionalLstm(b.g, x, layers, HID); // [T, 2·HID]
}

describe('unrolled LSTM', () => {
  it('2-layer bidirectional: gradients of the input and of all 16 tensors match finite differences', async () => {
    const r = await checkGradients(lstm, { seed: 7 });
    expect(Object.keys(r.errors)).toHaveLength(17);
    for (const [name, e] of Object.entries(r.errors)) {
      expect(e, name).toBeLessThanOrEqual(FD_TOL);
      expect(r.scale[name], `${name}: the check is not vacuous`).toBeGreaterThan(1e-3);
    }
  }, 120_000);

  it('a single step (T = 1) needs no recurrent term and still differentiates', async () => {
    const r = await checkGradients((b) => {
      const dir = (sfx: string) => ({
        wIh: b.param(`wih${sfx}`, [8, 2]), wHh: b.param(`whh${sfx}`, [8, 2], { data: new Array(16).fill(0.3) }),
        bIh: b.param(`bih${sfx}`, [8]), bHh: b.param(`bhh${sfx}`, [8]),
      });
      return bidirectionalLstm(b.g, b.param('x', [1, 2]), [[dir(''), dir('r')]], 2);
    }, { allowZeroGrad: true });
    expect(r.scale.whh).toBe(0); // h0 = 0: W_hh has no effect on one step, as in torch
    expect(r.errors.x).toBeLessThanOrEqual(FD_TOL);
  });
});
