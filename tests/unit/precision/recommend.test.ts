// Precision advice per device: bf16 from compute capability 8.0, fp16 + dynamic loss scaling on 7.x, fp32 on the CPU,
// fp8 only from 8.9 and then experimental; a GPU the engine cannot reach makes the run an emulated preview.
import { describe, expect, it } from 'vitest';
import { precisionAdvice, supportFromComputeCapability } from '../../../src-main/common/precision/recommend';

const cpu = { model: 'Test CPU', cores: 2, logicalCores: 2, arch: 'x64' };
const report = (gpus: { name: string; computeCapability: string | null }[], providers = [{ name: 'cpu', works: true }]) => ({
  cpu, gpus: gpus.map((g, index) => ({ index, memoryMiB: 16384, driver: null, ...g })), onnxruntime: { version: '1.22.0', providers },
});

describe('precision advice', () => {
  it('reads support from the compute capability', () => {
    expect(supportFromComputeCapability('7.5')).toEqual({ fp16: true, bf16: false, fp8: false }); // T4
    expect(supportFromComputeCapability('7.0')).toEqual({ fp16: true, bf16: false, fp8: false }); // V100
    expect(supportFromComputeCapability('8.0')).toEqual({ fp16: true, bf16: true, fp8: false }); // A100
    expect(supportFromComputeCapability('8.9')).toEqual({ fp16: true, bf16: true, fp8: true }); // L4
    expect(supportFromComputeCapability('9.0')).toEqual({ fp16: true, bf16: true, fp8: true }); // H100
    expect(supportFromComputeCapability('6.1')).toEqual({ fp16: false, bf16: false, fp8: false });
    expect(supportFromComputeCapability(null)).toEqual({ fp16: false, bf16: false, fp8: false });
  });

  it('recommends bf16, fp16 with dynamic scaling, or fp32, and says why', () => {
    const [h100, t4, old, host] = precisionAdvice(report([
      { name: 'H100', computeCapability: '9.0' }, { name: 'T4', computeCapability: '7.5' }, { name: 'P100', computeCapability: '6.0' },
    ], [{ name: 'cuda', works: true }, { name: 'cpu', works: true }]));
    expect(h100).toMatchObject({ precision: 'bf16', lossScale: 'none', fp8: 'experimental', emulated: false });
    expect(h100.reasons.join(' ')).toMatch(/fp8 \(≥ 8\.9\) is available but experimental/);
    expect(t4).toMatchObject({ precision: 'fp16', lossScale: 'dynamic', fp8: 'unsupported' });
    expect(t4.reasons[0]).toMatch(/no bf16 \(it needs 8\.0\).*6e-8/);
    expect(old).toMatchObject({ precision: 'fp32', lossScale: 'none' });
    expect(host).toMatchObject({ kind: 'cpu', precision: 'fp32', emulated: false });
  });

  it('marks a GPU the engine cannot use as an emulated preview', () => {
    const [a100] = precisionAdvice(report([{ name: 'A100', computeCapability: '8.0' }]));
    expect(a100).toMatchObject({ precision: 'bf16', engineRuns: false, emulated: true });
    expect(a100.reasons.at(-1)).toMatch(/no working CUDA or WebGPU provider/);
  });
});
