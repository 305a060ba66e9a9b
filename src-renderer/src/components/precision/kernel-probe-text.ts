// Words for the kernel probe's results (services/hardware/kernel-probe.ts) on the Precision page's support card.
import type { KernelCheck, KernelSupport } from '../../../../src-main/common/hardware';

export const KERNEL_OPS = ['MatMul', 'Add', 'Softmax', 'Cast'] as const;
export const KERNEL_FORMATS: readonly { id: KernelCheck['format']; label: string }[] = [
  { id: 'fp16', label: 'fp16' }, { id: 'bf16', label: 'bf16' }, { id: 'fp8e4m3', label: 'fp8 E4M3' }, { id: 'fp8e5m2', label: 'fp8 E5M2' },
];

export function findCheck(k: KernelSupport, op: string, format: KernelCheck['format']): KernelCheck | undefined {
  return k.checks?.find((c) => c.op === op && c.format === format);
}

/** Why a cell is —: ONNX's MatMul, Add and Softmax take no fp8 type, and fp16/bf16 casts are exercised by every op. */
export const NOT_ASKED = 'not asked: ONNX has no fp8 MatMul, Add or Softmax, and the fp16/bf16 casts run in every graph';

/** A cell: yes / no / not probed, or — where the probe does not ask (ONNX has no fp8 MatMul; fp16 needs no Cast probe). */
export function cellText(c: KernelCheck | undefined): string {
  if (!c) return '—';
  return c.ok === null ? 'not probed' : c.ok ? 'yes' : 'no';
}

/** The reasons worth reading under the table: the MatMuls' (the answer) and the fp8 casts'. */
export function headlineReasons(k: KernelSupport): { label: string; text: string }[] {
  const picks: [string, string, KernelCheck['format']][] = [['fp16 MatMul', 'MatMul', 'fp16'], ['bf16 MatMul', 'MatMul', 'bf16'], ['fp8 Cast', 'Cast', 'fp8e4m3']];
  const out = picks.flatMap(([label, op, f]) => {
    const c = findCheck(k, op, f);
    return c ? [{ label, text: c.reason }] : [];
  });
  return out.length ? out : [{ label: 'kernels', text: k.note }];
}
