// Execution-provider probing: each provider is tried for real and judged by result and node placement.

import { describe, expect, it } from 'vitest';
import { probeExecutionProviders } from '../../../../src-main/engine/runtime';

describe('probeExecutionProviders', () => {
  it('reports every provider, with CPU working and failures explained', async () => {
    const probes = await probeExecutionProviders();
    expect(probes.map((p) => p.name)).toEqual(['cpu', 'cuda', 'webgpu', 'dml']);
    const cpu = probes[0];
    expect(cpu).toEqual({ name: 'cpu', works: true });
    for (const p of probes) {
      if (!p.works) expect(p.error, `${p.name} failed without a reason`).toMatch(/\S/);
      else expect(p.error).toBeUndefined();
    }
    console.log('[engine] providers:', JSON.stringify(probes));
  });

  it('does not claim DirectML off Windows', async () => {
    if (process.platform === 'win32') return;
    const [dml] = await probeExecutionProviders(['dml']);
    expect(dml.works).toBe(false);
  });
});
