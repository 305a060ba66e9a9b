// Sample contract values for renderer tests: a hardware report and jobs in any state.
import type { HardwareReport } from '../../../src-main/common/hardware';
import type { Job } from '../../../src-main/common/jobs';

export function hardwareReport(overrides: Partial<HardwareReport> = {}): HardwareReport {
  return {
    cpu: { model: 'AMD Ryzen 7 7840U', cores: 8, logicalCores: 16, arch: 'x64' },
    memory: { totalBytes: 23.4 * 1024 ** 3, freeBytes: 11 * 1024 ** 3 },
    disk: { path: '/home/ada/.ftstudio', freeBytes: 120.25 * 1024 ** 3, totalBytes: 500 * 1024 ** 3 },
    gpus: [],
    gpuProbe: 'nvidia-smi not found',
    os: { platform: 'linux', release: '6.8.0' },
    onnxruntime: {
      version: '1.30.0',
      providers: [
        { name: 'cpu', works: true },
        { name: 'cuda', works: false, error: 'libcudart.so.12: cannot open shared object file' },
      ],
    },
    node: '20.19.0',
    detectedAt: '2025-11-27T19:00:00.000Z',
    ...overrides,
  };
}

export function job(overrides: Partial<Job> = {}): Job {
  return {
    id: 'job-1',
    kind: 'selftest',
    state: 'running',
    params: { steps: 20, stepMs: 100 },
    progress: 0,
    message: null,
    reason: null,
    resumable: false,
    runDir: null,
    pid: 4242,
    createdAt: '2025-11-27T19:00:00.000Z',
    startedAt: '2025-11-27T19:00:01.000Z',
    endedAt: null,
    ...overrides,
  };
}
