// Precision advice per device: bf16 from compute capability 8.0, fp16 + dynamic loss scaling on 7.x, fp32 on the CPU,
// fp8 only from 8.9 and then experimental; a GPU the engine cannot reach makes the run an emulated preview; the kernel
// probe confirms or overrules the compute-capability rule and says what the CPU provider has.
import { describe, expect, it } from 'vitest';
import type { ExecutionProviderStatus, KernelSupport } from '../../../src-main/common/hardware';
import { precisionAdvice, supportFromComputeCapability } from '../../../src-main/common/precision/recommend';

const cpu = { model: 'Test CPU', cores: 2, logicalCores: 2, arch: 'x64' };
const report = (gpus: { name: string; computeCapability: string | null }[], providers: ExecutionProviderStatus[] = [{ name: 'cpu', works: true }]) => ({
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
    expect(h100).toMatchObject({ precision: 'bf16', lossScale: 'none', fp8: 'experimental', emulated: true }); // bf16 runs emulated in this engine (no bfloat16 graphs)
    expect(h100.reasons.join(' ')).toMatch(/runs bf16 emulated on every provider/);
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

/** A probe result as services/hardware/kernel-probe.ts shapes it (only the MatMul checks matter to the advice). */
function kernels(fp16: boolean | null, bf16: boolean | null, why = 'no kernel'): KernelSupport {
  const check = (format: 'fp16' | 'bf16', ok: boolean | null) => ({ op: 'MatMul', format, ok, reason: ok ? `ran in ${format}` : `${format}: ${why}` });
  return { fp16, bf16, fp8: null, note: 'note', checks: [check('fp16', fp16), check('bf16', bf16)] };
}

describe('precision advice with the kernel probe', () => {
  it('on the CPU says which MatMul kernels ORT has, and why training stays fp32 anyway', () => {
    const [host] = precisionAdvice(report([], [{ name: 'cpu', works: true, kernels: kernels(false, false, 'ORT inserted casts and ran it in float32') }]));
    expect(host).toMatchObject({ kind: 'cpu', precision: 'fp32', emulated: false });
    expect(host.kernels).toEqual([{ provider: 'cpu', kernels: kernels(false, false, 'ORT inserted casts and ran it in float32') }]);
    expect(host.reasons[0]).toBe("probed: ORT's CPU provider has no fp16 MatMul kernel (ORT runs fp16 MatMuls in fp32 behind casts it inserts) and no bf16 MatMul kernel: train in fp32");
    expect(host.reasons[1]).toMatch(/stays fp32 whatever the kernels: the engine's graphs compute in fp32 and round to fp16\/bf16 exactly .* never faster/);
    // A CPU provider with real kernels (say a newer ORT on ARM) changes the sentence, not the choice.
    const [arm] = precisionAdvice(report([], [{ name: 'cpu', works: true, kernels: kernels(true, null) }]));
    expect(arm.precision).toBe('fp32');
    expect(arm.reasons[0]).toMatch(/has an fp16 MatMul kernel and bf16 not probed/);
  });

  it('without a probe the CPU advice says it assumed', () => {
    const [host] = precisionAdvice(report([]));
    expect(host.kernels).toEqual([]);
    expect(host.reasons[0]).toMatch(/not probed in this report/);
  });

  it('an H200 through WebGPU (as measured: fp16 kernels, no bf16): fp16 with dynamic scaling, on the GPU for real', () => {
    const providers = [{ name: 'webgpu', works: true, kernels: kernels(true, false) }, { name: 'cpu', works: true, kernels: kernels(false, false) }];
    const [h200] = precisionAdvice(report([{ name: 'H200', computeCapability: '9.0' }], providers));
    expect(h200).toMatchObject({ precision: 'fp16', lossScale: 'dynamic', emulated: false, engineRuns: true });
    expect(h200.reasons.join(' ')).toMatch(/compute capability 9\.0 has bf16, but webgpu has no bf16 MatMul kernel here/);
  });

  it('confirms the compute-capability rule on a GPU when the provider ran the MatMuls', () => {
    const providers = [{ name: 'cuda', works: true, kernels: kernels(true, true) }, { name: 'cpu', works: true, kernels: kernels(false, false) }];
    const [h100, host] = precisionAdvice(report([{ name: 'H100', computeCapability: '9.0' }], providers));
    expect(h100).toMatchObject({ precision: 'bf16', lossScale: 'none', emulated: true });
    expect(h100.kernels.map((k) => k.provider)).toEqual(['cuda']);
    expect(h100.reasons).toContain('probed: cuda ran a bf16 MatMul on the GPU, as compute capability 9.0 promises');
    expect(host.kernels.map((k) => k.provider)).toEqual(['cpu']);
  });

  it('drops bf16 when the provider has no bf16 MatMul kernel, whatever the compute capability says', () => {
    const providers = [{ name: 'cuda', works: true, kernels: kernels(true, false, 'the graph does not load') }];
    const [a100] = precisionAdvice(report([{ name: 'A100', computeCapability: '8.0' }], providers));
    expect(a100).toMatchObject({ precision: 'fp16', lossScale: 'dynamic', support: { bf16: true } });
    expect(a100.reasons[0]).toMatch(/the bf16 kernel is missing/);
    expect(a100.reasons.join(' ')).toMatch(/compute capability 8\.0 has bf16, but cuda has no bf16 MatMul kernel here \(bf16: the graph does not load\)/);
    const [none] = precisionAdvice(report([{ name: 'A100', computeCapability: '8.0' }], [{ name: 'cuda', works: true, kernels: kernels(false, false) }]));
    expect(none.precision).toBe('fp32');
    expect(none.reasons[0]).toMatch(/has fp16, but the provider's fp16 kernel is missing: fp32/);
  });

  it('keeps fp16 on a T4 even where the provider runs a bf16 MatMul; an unprobed L4 keeps the rule', () => {
    const [t4] = precisionAdvice(report([{ name: 'T4', computeCapability: '7.5' }], [{ name: 'cuda', works: true, kernels: kernels(true, true) }]));
    expect(t4).toMatchObject({ precision: 'fp16', lossScale: 'dynamic' });
    expect(t4.reasons.join(' ')).toMatch(/cuda does run a bf16 MatMul, but compute capability 7\.5 has no bf16 tensor cores/);
    const [l4] = precisionAdvice(report([{ name: 'L4', computeCapability: '8.9' }], [{ name: 'cuda', works: true, kernels: kernels(null, null) }]));
    expect(l4.precision).toBe('bf16');
    expect(l4.reasons.join(' ')).toMatch(/bf16 MatMul not probed on cuda/);
  });
});
