// Judging a kernel probe (pure): the cases, whether each kernel really ran on the provider in the low-precision type
// with numbers within the format's tolerance (kernel-tolerance.ts), then the per-provider summary for the report.
import type { KernelCheck, KernelSupport } from '../../common/hardware';
import type { KernelRun, ProbeDType, ProbeOp, ProfiledKernel } from '../../engine/runtime/kernel-probe';
import { allInFormat, compareWithinTolerance, FORMATS, probeInputs, reference, type ProbedFormat } from './kernel-tolerance';

export { PROBE_N, probeInputs, type ProbedFormat } from './kernel-tolerance';

export interface KernelCase {
  op: ProbeOp;
  format: ProbedFormat;
}

export const dtypeOfFormat = (f: ProbedFormat): ProbeDType => FORMATS[f].dtype;

/** MatMul first in each format: it is the answer; Add and Softmax are cheap extras. fp8 can only be cast to. */
export const KERNEL_CASES: readonly KernelCase[] = [
  { op: 'MatMul', format: 'fp16' }, { op: 'Add', format: 'fp16' }, { op: 'Softmax', format: 'fp16' },
  { op: 'MatMul', format: 'bf16' }, { op: 'Add', format: 'bf16' }, { op: 'Softmax', format: 'bf16' },
  { op: 'Cast', format: 'fp8e4m3' }, { op: 'Cast', format: 'fp8e5m2' },
];

/** The kernel that answers the case: the op itself, or for a Cast probe the cast back from the fp8 type. */
function kernelOf(c: KernelCase, kernels: readonly ProfiledKernel[]): ProfiledKernel | undefined {
  const dtype = dtypeOfFormat(c.format);
  if (c.op === 'Cast') return kernels.find((k) => k.op === 'Cast' && k.inputTypes[0] === dtype);
  return kernels.find((k) => k.op === c.op && k.inputTypes[0] === dtype) ?? kernels.find((k) => k.op === c.op);
}

const short = (x: number) => Number(x.toPrecision(4));

/** The verdict on one case from its run on the provider ORT calls `ortName`. */
export function judgeKernel(c: KernelCase, run: KernelRun, ortName: string, inputs = probeInputs()): KernelCheck {
  const base = { op: c.op, format: c.format };
  const dtype = dtypeOfFormat(c.format);
  if (!run.ran) {
    // ORT names our node ("… node with name 'probe'"), which says nothing to a reader.
    const error = (run.error ?? 'no error given').replace(/ node with name '[^']*'/, '');
    return { ...base, ok: false, reason: `no ${dtype} ${c.op} kernel: the graph does not load or run (${error})` };
  }
  const k = kernelOf(c, run.kernels);
  if (run.kernels.length > 0) {
    if (!k) {
      const ops = [...new Set(run.kernels.filter((x) => x.op !== 'Cast').map((x) => `${x.op}(${x.inputTypes[0] ?? '?'})`))];
      return { ...base, ok: false, reason: `no ${dtype} ${c.op} kernel: ORT rewrote it into ${ops.join(', ') || 'casts'}` };
    }
    if (k.provider !== ortName) return { ...base, ok: false, reason: `${c.op} ran on ${k.provider}, not ${ortName} (silent fallback)` };
    if (k.inputTypes[0] !== dtype) {
      const ran = k.inputTypes[0] === 'float' ? 'float32' : k.inputTypes[0] ?? 'another type';
      return { ...base, ok: false, reason: `no ${dtype} ${c.op} kernel: ORT inserted casts and ran it in ${ran}` };
    }
  }
  const out = run.output ?? new Float32Array();
  if (!allInFormat(out, c.format)) return { ...base, ok: false, reason: `the output holds values ${dtype} cannot: computed in a wider type` };
  const cmp = compareWithinTolerance(out, reference(c.op, c.format, inputs.a, inputs.b), c.format);
  const { actual, expected, tolerance } = cmp.worst;
  if (!cmp.ok) return { ...base, ok: false, reason: `wrong result: ${short(actual)} where ${short(expected)} ± ${short(tolerance)} was expected` };
  const where = run.kernels.length > 0 ? `on ${ortName}` : 'where the profile could not say';
  return { ...base, ok: true, reason: `ran in ${dtype} ${where}, within ${c.format}'s tolerance` };
}

/** A case left out because the probe's time budget ran out. */
export const notProbed = (c: KernelCase, why: string): KernelCheck => ({ op: c.op, format: c.format, ok: null, reason: why });

function allOf(checks: readonly KernelCheck[]): boolean | null {
  if (checks.length === 0 || checks.some((c) => c.ok === null)) return null;
  return checks.every((c) => c.ok === true);
}

function summary(label: string, checks: readonly KernelCheck[]): string {
  const have = checks.filter((c) => c.ok === true).map((c) => c.op);
  const lack = checks.filter((c) => c.ok === false).map((c) => c.op);
  const unknown = checks.filter((c) => c.ok === null).map((c) => c.op);
  const parts = [
    ...(have.length ? [`${have.join(', ')} kernel${have.length > 1 ? 's' : ''}`] : []),
    ...(lack.length ? [`no ${lack.join('/')} kernel`] : []),
    ...(unknown.length ? [`${unknown.join('/')} not probed`] : []),
  ];
  return `${label}: ${parts.join(', ')}`;
}

/** The provider's line in the report: fp16/bf16 from the MatMul, fp8 from both casts, and a one-line note. */
export function kernelSupport(checks: readonly KernelCheck[], ms?: number): KernelSupport {
  const of = (f: ProbedFormat) => checks.filter((c) => c.format === f);
  const matmul = (f: ProbedFormat) => of(f).find((c) => c.op === 'MatMul')?.ok ?? null;
  const fp8 = [...of('fp8e4m3'), ...of('fp8e5m2')];
  const fp8Ok = allOf(fp8);
  const fp8Note = fp8Ok === true ? 'fp8: Cast to and from E4M3/E5M2 only' : fp8Ok === false ? 'fp8: no Cast to or from E4M3/E5M2' : 'fp8: not probed';
  const note = [
    summary('fp16', of('fp16')),
    summary('bf16', of('bf16')),
    // ONNX's MatMul takes no float8 type; fp8 GEMMs are ORT's com.microsoft GemmFloat8 (CUDA only), not probed.
    `${fp8Note} (ONNX's MatMul takes no fp8 type)`,
  ].join('; ');
  return { fp16: matmul('fp16'), bf16: matmul('bf16'), fp8: fp8Ok, note, checks: [...checks], ...(ms === undefined ? {} : { ms: Math.round(ms) }) };
}
