// Builds the hardware report: CPU, memory, disk, GPUs and the onnxruntime execution providers that really work.
import os from 'node:os';
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ExecutionProviderStatus, HardwareReport } from '../../common/hardware';
import { probeNvidiaGpus } from './nvidia-smi';

export interface ProviderProbe {
  version(): string | null;
  probe(): Promise<ExecutionProviderStatus[]>;
}

/** Physical cores are not in os.cpus(); on Linux /proc/cpuinfo has them, elsewhere we report logical cores. */
function physicalCores(): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const pairs = new Set<string>();
    let physical = '';
    for (const line of text.split('\n')) {
      const [key, value] = line.split(':').map((s) => s?.trim());
      if (key === 'physical id') physical = value ?? '';
      if (key === 'core id') pairs.add(`${physical}:${value}`);
    }
    return pairs.size || null;
  } catch {
    return null;
  }
}

function diskSpace(path: string): { freeBytes: number | null; totalBytes: number | null } {
  // The data folder may not exist yet: measure the filesystem it will be created on.
  while (!existsSync(path) && dirname(path) !== path) path = dirname(path);
  try {
    const s = statfsSync(path);
    return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    return { freeBytes: null, totalBytes: null };
  }
}

export async function detectHardware(dataPath: string, providers: ProviderProbe): Promise<HardwareReport> {
  const cpus = os.cpus();
  const [gpu, eps] = await Promise.all([probeNvidiaGpus(), providers.probe()]);
  return {
    cpu: {
      model: cpus[0]?.model.trim() || 'unknown CPU',
      logicalCores: cpus.length,
      cores: physicalCores() ?? cpus.length,
      arch: process.arch,
    },
    memory: { totalBytes: os.totalmem(), freeBytes: os.freemem() },
    disk: { path: dataPath, ...diskSpace(dataPath) },
    gpus: gpu.gpus,
    gpuProbe: gpu.note,
    os: { platform: process.platform, release: os.release() },
    onnxruntime: { version: providers.version(), providers: eps },
    node: process.version,
    detectedAt: new Date().toISOString(),
  };
}
