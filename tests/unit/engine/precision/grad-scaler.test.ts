// The host-side loss scaler against torch's GradScaler (driven live through tests/reference/precision) and by hand.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { GradScaler, parseLossScale } from '../../../../src-main/engine/precision/grad-scaler';
import { PYTHON, pythonHas } from '../../../reference/python-modules';

type Event = 'ok' | 'inf' | 'nan';
interface Scenario {
  name: string;
  initScale: number;
  growthFactor: number;
  backoffFactor: number;
  growthInterval: number;
  pattern: Event[];
}
interface Trace {
  usedScale: number[];
  skipped: boolean[];
  scale: number[];
  tracker: number[];
}

/** A fixed pseudo-random overflow pattern (LCG), so the scenarios are identical on every run. */
function pattern(n: number, pInf: number, seed: number, at: Record<number, Event> = {}): Event[] {
  let s = seed;
  return Array.from({ length: n }, (_, i) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return at[i] ?? (s / 2 ** 32 < pInf ? (s % 2 === 0 ? 'inf' : 'nan') : 'ok');
  });
}

const SCENARIOS: Scenario[] = [
  // torch's defaults over 4,500 steps: three early overflows, growth after each 2000 clean steps, then a NaN.
  { name: 'defaults', initScale: 2 ** 16, growthFactor: 2, backoffFactor: 0.5, growthInterval: 2000,
    pattern: pattern(4500, 0, 1, { 0: 'inf', 1: 'nan', 2: 'inf', 4300: 'nan' }) },
  { name: 'short interval, random overflows', initScale: 8, growthFactor: 2, backoffFactor: 0.5, growthInterval: 3,
    pattern: pattern(300, 0.3, 7) },
  // Growth past float32's max is refused (the kernel's isfinite check) but still resets the tracker.
  { name: 'growth refused at 2^128', initScale: 2 ** 126, growthFactor: 2, backoffFactor: 0.5, growthInterval: 1,
    pattern: pattern(6, 0, 3) },
  // Backoff through float32 subnormals down to 0 (2^-149 · 0.5 rounds to even: 0).
  { name: 'backoff to zero', initScale: 2 ** -140, growthFactor: 2, backoffFactor: 0.5, growthInterval: 2,
    pattern: pattern(14, 1, 5) },
  // Factors that are not powers of two: every product rounds to float32.
  { name: 'non-power-of-two factors', initScale: 1000, growthFactor: 3, backoffFactor: 0.3, growthInterval: 2,
    pattern: pattern(200, 0.25, 11) },
];

function ours(sc: Scenario): Trace {
  const s = new GradScaler({ kind: 'dynamic', ...sc });
  const t: Trace = { usedScale: [], skipped: [], scale: [], tracker: [] };
  for (const e of sc.pattern) {
    const r = s.update(e !== 'ok');
    t.usedScale.push(r.usedScale);
    t.skipped.push(r.skipped);
    t.scale.push(r.scale);
    t.tracker.push(s.growthTracker);
  }
  return t;
}

describe('GradScaler vs torch.cuda.amp.GradScaler', () => {
  const torchHere = pythonHas('torch');
  it.skipIf(!torchHere)('reproduces the scale, skip and growth-tracker sequence of every scenario', () => {
    const run = spawnSync(PYTHON, ['tests/reference/precision/grad_scaler_reference.py'], {
      input: JSON.stringify(SCENARIOS), encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const ref = JSON.parse(run.stdout) as { kernels: string; torch: string; results: Trace[] };
    SCENARIOS.forEach((sc, i) => {
      const mine = ours(sc);
      expect(mine, sc.name).toEqual(ref.results[i]);
      console.log(`${sc.name}: ${sc.pattern.length} steps, ${mine.skipped.filter(Boolean).length} skipped, final scale ${mine.scale.at(-1)} = torch ${ref.torch} (${ref.kernels} kernels)`);
    });
  }, 120_000);
});

describe('GradScaler by hand', () => {
  it('backs off and skips on overflow, grows after growthInterval clean steps', () => {
    const s = new GradScaler({ kind: 'dynamic', growthInterval: 2 });
    expect(s.scale).toBe(65536);
    expect(s.update(true)).toEqual({ skipped: true, usedScale: 65536, scale: 32768 });
    expect(s.update(false).scale).toBe(32768);
    expect(s.update(false).scale).toBe(65536);
    expect(s.invScale).toBe(2 ** -16);
    expect([s.steps, s.skippedSteps]).toEqual([3, 1]);
  });

  it('static keeps S and still skips non-finite steps; none neither scales nor skips', () => {
    const st = new GradScaler(parseLossScale('1024'));
    expect([st.update(true), st.update(false)].map((r) => [r.skipped, r.scale])).toEqual([[true, 1024], [false, 1024]]);
    const none = new GradScaler(parseLossScale('none'));
    expect([none.scale, none.update(true).skipped]).toEqual([1, false]);
    expect(parseLossScale('dynamic')).toEqual({ kind: 'dynamic' });
    expect(() => parseLossScale('-3')).toThrow(/positive/);
  });

  it('round-trips its state for resume', () => {
    const a = new GradScaler({ kind: 'dynamic', growthInterval: 5 });
    for (const inf of [true, false, false]) a.update(inf);
    const b = new GradScaler({ kind: 'dynamic', growthInterval: 5 });
    b.load(a.state());
    for (const inf of [false, false, false, true]) expect(b.update(inf)).toEqual(a.update(inf));
  });
});
