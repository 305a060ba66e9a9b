// The Train form's "Compute on" choice: the execution providers the hardware probe found, and what the chosen one does
// to the precision (main decides for real when the run starts: services/train/execution.ts).
import type { HardwareReport } from '../../../../src-main/common/hardware';
import type { TrainStartInput } from '../../../../src-main/common/train';
import type { PrecisionChoice } from './precision-choice';

export type ProviderChoice = NonNullable<TrainStartInput['provider']>;

export interface ProviderOption {
  name: ProviderChoice;
  works: boolean;
  /** The kernel probe's answer for fp16 MatMul (null: not probed). */
  fp16Kernels: boolean | null;
  label: string;
}

const LABELS: Record<ProviderChoice, string> = { cpu: 'CPU', webgpu: 'GPU through WebGPU', cuda: 'GPU through CUDA', dml: 'GPU through DirectML' };

/** The CPU always, then each GPU provider onnxruntime offers, those that do not work here disabled with the reason. */
export function providerOptions(report: HardwareReport | null): ProviderOption[] {
  const found = report?.onnxruntime.providers ?? [];
  const options: ProviderOption[] = [{ name: 'cpu', works: true, fp16Kernels: false, label: LABELS.cpu }];
  for (const name of ['webgpu', 'cuda', 'dml'] as const) {
    const p = found.find((x) => x.name === name);
    if (!p) continue;
    const why = p.works ? '' : ` — does not work here${p.error ? `: ${p.error.split(/[.:]\s/)[0].slice(0, 80)}` : ''}`;
    options.push({ name, works: p.works, fp16Kernels: p.kernels?.fp16 ?? null, label: `${LABELS[name]}${why}` });
  }
  return options;
}

/** How the chosen precision will run on the chosen provider, as the user should expect it. */
export function executionNote(precision: PrecisionChoice, option: ProviderOption | undefined): string | null {
  const on = option?.name ?? 'cpu';
  if (precision === 'fp32') return on === 'cpu' ? null : `fp32 on ${option?.label}: nodes it has no kernel for run on the CPU.`;
  if (on === 'cpu') return `On this machine ${precision} runs emulated: fp32 math, rounded exactly where autocast rounds — a preview of a GPU run's numerics, not faster.`;
  if (precision === 'fp16' && option?.fp16Kernels) return `fp16 on ${option.label}: the matmuls run on its float16 kernels (probed), the rest emulated exactly as on the CPU.`;
  if (precision === 'fp16') return `fp16 on ${option?.label}: no float16 MatMul kernel was found there, so it runs emulated.`;
  return `${precision} on ${option?.label} runs emulated: the engine builds no ${precision === 'bf16' ? 'bfloat16' : 'float8'} graphs (WebGPU has no bf16 kernels anyway).`;
}

/** The key for train.start: none for the CPU (the default), so a CPU run's config stays as before. */
export const providerInput = (provider: ProviderChoice): Pick<TrainStartInput, 'provider'> => (provider === 'cpu' ? {} : { provider });
