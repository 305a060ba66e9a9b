// `ftstudio doctor`: what this machine has, and whether the app can train on it.
import { detectHardware } from '../../services/hardware/detect';
import { onnxruntimeProbe } from '../../services/hardware/ort-providers';
import { defaultHome } from '../../services/paths';
import { printResult, type CliContext } from '../output';

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
    ...report.onnxruntime.providers.map((p) => `  ${p.works ? 'ok  ' : 'no  '} ${p.name}${p.error ? ` — ${p.error}` : ''}`),
    `Data       ${home}`,
    working.length ? `Ready: training runs on ${working.join(', ')}.` : 'Not ready: no execution provider works.',
  ].join('\n'));
  return working.length ? 0 : 1;
}
