// Finds NVIDIA GPUs through nvidia-smi (name, memory, compute capability, driver); absent tool = no NVIDIA GPU.
import { execFile } from 'node:child_process';
import type { GpuInfo } from '../../common/hardware';

export interface GpuProbeResult { gpus: GpuInfo[]; note: string }

const QUERY = 'index,name,memory.total,compute_cap,driver_version';

/** Parses `nvidia-smi --query-gpu=…  --format=csv,noheader,nounits` output. */
export function parseNvidiaSmi(csv: string): GpuInfo[] {
  return csv
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [index, name, memory, cc, driver] = line.split(',').map((s) => s.trim());
      const known = (v: string | undefined) => (v && !/^\[?N\/A\]?$/i.test(v) ? v : null);
      return { index: Number(index), name: name ?? 'unknown', memoryMiB: Number(memory) || 0, computeCapability: known(cc), driver: known(driver) };
    });
}

export function probeNvidiaGpus(timeoutMs = 5_000): Promise<GpuProbeResult> {
  return new Promise((resolve) => {
    execFile('nvidia-smi', [`--query-gpu=${QUERY}`, '--format=csv,noheader,nounits'], { timeout: timeoutMs }, (err, stdout) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const note = code === 'ENOENT' ? 'nvidia-smi not found: no NVIDIA driver on this machine' : `nvidia-smi failed: ${err.message.split('\n')[0]}`;
        resolve({ gpus: [], note });
        return;
      }
      const gpus = parseNvidiaSmi(stdout);
      resolve({ gpus, note: gpus.length ? `nvidia-smi found ${gpus.length} GPU(s)` : 'nvidia-smi ran but listed no GPU' });
    });
  });
}
