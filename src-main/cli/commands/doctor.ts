// `ftstudio doctor`: what this machine has, and whether the app can train on it.
import { detectHardware } from '../../services/hardware/detect';
import { onnxruntimeProbe } from '../../services/hardware/ort-providers';
import { defaultHome } from '../../services/paths';
import { printResult, type CliContext } from '../output';
import type { ExecutionProviderStatus } from '../../common/hardware';

const yesNo = (v: boolean | null) => (v === null ? '?' : v ? 'yes' : 'no');

/** A working provider's line, then its probed low-precision kernels (the JSON has every check with its reason). */
function providerLines(p: ExecutionProviderStatus): string[] {
  const head = `  ${p.works ? 'ok  ' : 'no  '} ${p.name}${p.error ? ` — ${p.error}` : ''}`;
  if (!p.kernels) return [head];
  const k = p.kernels;
  return [head, `         kernels: fp16 ${yesNo(k.fp16)}, bf16 ${yesNo(k.bf16)}, fp8 ${yesNo(k.fp8)} — ${k.note}`];
}

const gib = (bytes: number | null) => (bytes == null ? 'unknown' : `${(bytes / 2 ** 30).toFixed(1)} GiB`);

export async function doctor(ctx: CliContext): Promise<number> {
  const home = defaultHome();
  const report = await detectHardware(home, onnxruntimeProbe);
  const working = report.onnxruntime.providers.filter((p) => p.works).map((p) => p.name);
  printResult(ctx, { ...report, home }, () => [
    `CPU        ${report.cpu.model} (${report.cpu.cores} cores, ${report.cpu.logicalCores} threads, ${report.cpu.arch})`,
    `Memory     ${gib(report.memory.totalBytes)} total, ${gib(report.memory.freeBytes)} free`,
    `Disk       ${gib(report.disk.freeBytes)} free at ${report.disk.path}`,
    `GPUs       ${report.gpus.length ? report.gpus.map((g) => `${g.name} ${g.memoryMiB} MiB cc ${g.computeCapability ?? '?'}`).join('; ') : 'none'} (${report.gpuProbe})`,
    `ORT        onnxruntime-node ${report.onnxruntime.version ?? 'not installed'}`,
    ...report.onnxruntime.providers.flatMap(providerLines),
    `Data       ${home}`,
    working.length ? `Ready: training runs on ${working.join(', ')}.` : 'Not ready: no execution provider works.',
  ].join('\n'));
  return working.length ? 0 : 1;
}
