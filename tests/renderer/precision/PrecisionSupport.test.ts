// The Precision page's "What this machine supports" card: per device the training choice, and per provider the kernels
// the probe found (yes / no / not probed / — where it does not ask), with the probe's reasons.
import type { VueWrapper } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { KernelCheck, KernelSupport } from '../../../src-main/common/hardware';
import PrecisionSupport from '../../../src-renderer/src/components/precision/PrecisionSupport.vue';
import { createFakeApi, flush } from '../helpers/fake-api';
import { hardwareReport } from '../helpers/fixtures';
import { mountWithApp } from '../helpers/mount-app';

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

const check = (op: string, format: KernelCheck['format'], ok: boolean | null, reason: string): KernelCheck => ({ op, format, ok, reason });

/** What onnxruntime-node 1.30's CPU provider answers on x64 (see tests/unit/services/hardware-kernels.test.ts). */
const CPU_KERNELS: KernelSupport = {
  fp16: false, bf16: false, fp8: true, ms: 61,
  note: "fp16: no MatMul/Add/Softmax kernel; bf16: no MatMul/Add/Softmax kernel; fp8: Cast to and from E4M3/E5M2 only (ONNX's MatMul takes no fp8 type)",
  checks: [
    check('MatMul', 'fp16', false, 'no float16 MatMul kernel: ORT inserted casts and ran it in float32'),
    check('Add', 'fp16', false, 'no float16 Add kernel: ORT inserted casts and ran it in float32'),
    check('Softmax', 'fp16', false, 'no float16 Softmax kernel: ORT rewrote it into ReduceMax(float), Exp(float)'),
    check('MatMul', 'bf16', false, 'no bfloat16 MatMul kernel: the graph does not load or run (Could not find an implementation for MatMul(13))'),
    check('Add', 'bf16', false, 'no bfloat16 Add kernel'),
    check('Softmax', 'bf16', null, "not probed: the kernel probe's 2 s budget ran out"),
    check('Cast', 'fp8e4m3', true, 'ran in Float8E4M3FN on CPUExecutionProvider'),
    check('Cast', 'fp8e5m2', true, 'ran in Float8E5M2 on CPUExecutionProvider'),
  ],
};

async function mountCard(providers: ReturnType<typeof hardwareReport>['onnxruntime']['providers'], gpus = hardwareReport().gpus) {
  const report = hardwareReport({ gpus, onnxruntime: { version: '1.30.0', providers } });
  const mounted = await mountWithApp(PrecisionSupport, createFakeApi({ 'hardware.get': () => report }), '/precision');
  await flush();
  return mounted.wrapper;
}

describe('PrecisionSupport', () => {
  it('shows the CPU provider’s probed kernels per op and format, with the reasons', async () => {
    wrapper = await mountCard([{ name: 'cpu', works: true, kernels: CPU_KERNELS }]);
    const cpu = wrapper.get('[data-testid="support-cpu"]');
    expect(cpu.get('[data-testid="support-choice"]').text()).toBe('train in fp32');
    const table = cpu.get('[data-testid="kernels-cpu"]');
    expect(table.text()).toContain('Kernels probed on cpu · 61 ms');
    const cell = (op: string, f: string) => table.get(`[data-testid="kernel-cpu-${op}-${f}"]`);
    expect(cell('MatMul', 'fp16').text()).toBe('no');
    expect(cell('MatMul', 'fp16').attributes('title')).toMatch(/inserted casts and ran it in float32/);
    expect(cell('Softmax', 'bf16').text()).toBe('not probed');
    expect(cell('Cast', 'fp8e4m3').text()).toBe('yes');
    expect(cell('MatMul', 'fp8e4m3').text()).toBe('—'); // ONNX's MatMul takes no fp8 type: never asked
    expect(cell('MatMul', 'fp8e4m3').attributes('title')).toMatch(/^not asked: ONNX has no fp8 MatMul/);
    expect(table.get('.footnote').text()).toMatch(/^— not asked/);
    expect(table.findAll('tbody tr').map((r) => r.get('th').text())).toEqual(['MatMul', 'Add', 'Softmax', 'Cast']);
    expect(table.get('.reasons').text()).toMatch(/fp16 MatMul: no float16 MatMul kernel.*bf16 MatMul: no bfloat16 MatMul kernel.*fp8 Cast: ran in Float8E4M3FN/s);
    expect(cpu.text()).toMatch(/probed: ORT's CPU provider has no fp16 MatMul kernel/);
    expect(cpu.text()).toMatch(/stays fp32 whatever the kernels/);
  });

  it('says when a device has no probe: a GPU without a working provider, an old report', async () => {
    wrapper = await mountCard(
      [{ name: 'cpu', works: true }, { name: 'cuda', works: false, error: 'libcudart.so.12: cannot open shared object file' }],
      [{ index: 0, name: 'NVIDIA T4', memoryMiB: 15360, computeCapability: '7.5', driver: '550' }],
    );
    expect(wrapper.get('[data-testid="support-gpu"] [data-testid="support-no-probe"]').text()).toBe('No working GPU provider to probe kernels on.');
    expect(wrapper.get('[data-testid="support-cpu"] [data-testid="support-no-probe"]').text()).toBe('No kernel probe in this report.');
    expect(wrapper.find('[data-testid="kernels-cpu"]').exists()).toBe(false);
  });

  it('puts a GPU provider’s kernels on the GPU and says whether they confirm the compute capability', async () => {
    const gpuKernels: KernelSupport = {
      fp16: true, bf16: true, fp8: true, note: 'all',
      checks: [check('MatMul', 'fp16', true, 'ran in float16 on CUDAExecutionProvider'), check('MatMul', 'bf16', true, 'ran in bfloat16 on CUDAExecutionProvider')],
    };
    wrapper = await mountCard(
      [{ name: 'cpu', works: true, kernels: CPU_KERNELS }, { name: 'cuda', works: true, kernels: gpuKernels }],
      [{ index: 0, name: 'NVIDIA H100', memoryMiB: 81559, computeCapability: '9.0', driver: '550' }],
    );
    const gpu = wrapper.get('[data-testid="support-gpu"]');
    expect(gpu.get('[data-testid="support-choice"]').text()).toBe('train in bf16');
    expect(gpu.get('[data-testid="kernel-cuda-MatMul-bf16"]').text()).toBe('yes');
    expect(gpu.find('[data-testid="kernels-cpu"]').exists()).toBe(false);
    expect(gpu.text()).toContain('probed: cuda ran a bf16 MatMul on the GPU, as compute capability 9.0 promises');
  });
});
