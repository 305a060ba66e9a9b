// Hardware detection: nvidia-smi parsing and the real report of this machine.
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { HardwareReport } from '../../../src-main/common/hardware';
import { parseNvidiaSmi } from '../../../src-main/services/hardware/nvidia-smi';
import { detectHardware } from '../../../src-main/services/hardware/detect';
import { defaultHome } from '../../../src-main/services/paths';

describe('nvidia-smi parsing', () => {
  it('reads name, memory, compute capability and driver per GPU', () => {
    const csv = '0, NVIDIA H100 80GB HBM3, 81559, 9.0, 550.54.15\n1, Tesla T4, 15360, [N/A], 535.1\n';
    expect(parseNvidiaSmi(csv)).toEqual([
      { index: 0, name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559, computeCapability: '9.0', driver: '550.54.15' },
      { index: 1, name: 'Tesla T4', memoryMiB: 15360, computeCapability: null, driver: '535.1' },
    ]);
    expect(parseNvidiaSmi('\n')).toEqual([]);
  });
});

describe('detectHardware', () => {
  it("reports this machine's real cores, memory and disk, and the providers it was given", async () => {
    const report = await detectHardware('/nonexistent/ftstudio-home/sub', {
      version: () => '9.9.9',
      probe: async () => [{ name: 'cpu', works: true }, { name: 'cuda', works: false, error: 'not installed' }],
    });
    expect(report.cpu.logicalCores).toBe(os.cpus().length);
    expect(report.cpu.cores).toBeGreaterThan(0);
    expect(report.cpu.cores).toBeLessThanOrEqual(report.cpu.logicalCores);
    expect(report.memory.totalBytes).toBe(os.totalmem());
    // A data folder that does not exist yet is measured on the filesystem it will be created on.
    expect(report.disk.freeBytes).toBeGreaterThan(0);
    expect(report.onnxruntime).toEqual({ version: '9.9.9', providers: [{ name: 'cpu', works: true }, { name: 'cuda', works: false, error: 'not installed' }] });
    expect(report.gpuProbe).toMatch(/nvidia-smi/);
  });
});

describe('hardware report schema', () => {
  it('carries each provider\'s probed kernels, and still reads reports made without them', async () => {
    const kernels = { fp16: false, bf16: false, fp8: true, note: 'fp16: no MatMul kernel', checks: [{ op: 'MatMul', format: 'fp16' as const, ok: false, reason: 'ran in float32' }], ms: 60 };
    const report = await detectHardware('/tmp', { version: () => '1.30.0', probe: async () => [{ name: 'cpu', works: true, kernels }] });
    expect(HardwareReport.parse(report).onnxruntime.providers[0].kernels).toEqual(kernels);
    const old = { ...report, onnxruntime: { version: '1.30.0', providers: [{ name: 'cpu', works: true }] } };
    expect(HardwareReport.parse(old).onnxruntime.providers[0].kernels).toBeUndefined();
    const bad = { ...report, onnxruntime: { version: '1.30.0', providers: [{ name: 'cpu', works: true, kernels: { ...kernels, fp16: 'maybe' } }] } };
    expect(HardwareReport.safeParse(bad).success).toBe(false);
  });
});

describe('defaultHome', () => {
  it('honours FTSTUDIO_HOME, then the OS convention', () => {
    expect(defaultHome({ FTSTUDIO_HOME: '/data/ft' }, 'linux')).toBe('/data/ft');
    expect(defaultHome({ XDG_DATA_HOME: '/x' }, 'linux')).toBe('/x/finetune-studio');
    expect(defaultHome({}, 'linux')).toBe(`${os.homedir()}/.local/share/finetune-studio`);
    expect(defaultHome({}, 'darwin')).toMatch(/Library\/Application Support\/finetune-studio$/);
  });
});
