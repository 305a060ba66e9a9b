// Which execution providers really work here: a tiny Add session per provider, checked by result and by placement.

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Graph } from '../ir/graph';
import { serializeModel } from '../onnx/serialize';
import ort from 'onnxruntime-node';
import { EngineSession, type ProviderName } from './session';

export { ortVersion } from './session';

export interface ProviderProbe {
  name: string;
  works: boolean;
  error?: string;
}

/** ORT's names for the providers, as they appear in profiles. */
const ORT_NAMES: Record<ProviderName, string> = {
  cpu: 'CPUExecutionProvider',
  cuda: 'CUDAExecutionProvider',
  webgpu: 'WebGpuExecutionProvider',
  dml: 'DmlExecutionProvider',
};

function addModel(): Uint8Array {
  const g = new Graph('probe');
  const a = g.input('a', 'float32', [4]);
  const b = g.input('b', 'float32', [4]);
  g.output(g.add(a, b), 'c');
  return serializeModel(g);
}

/** Providers of the nodes in an ORT profile (Chrome trace events with args.provider). */
async function placements(dir: string): Promise<string[]> {
  const file = (await readdir(dir)).find((f) => f.endsWith('.json'));
  if (!file) return [];
  const events = JSON.parse(await readFile(join(dir, file), 'utf8')) as { cat?: string; args?: { provider?: string } }[];
  return events.filter((e) => e.cat === 'Node' && e.args?.provider).map((e) => e.args?.provider as string);
}

/**
 * ORT registers CPU behind every provider and may place nodes there silently, so "the session
 * was created" proves nothing: a provider works only if the Add actually ran on it (read from a
 * profile) and produced the right numbers.
 */
export async function probeProvider(name: ProviderName, model = addModel()): Promise<ProviderProbe> {
  const dir = await mkdtemp(join(tmpdir(), 'ftstudio-probe-'));
  try {
    const s = await EngineSession.create(model, { providers: [name], profilePrefix: join(dir, 'p'), intraOpThreads: 1 });
    try {
      const x = Float32Array.from([1, 2, 3, 4]);
      const out = await s.run({ a: { data: x, dims: [4] }, b: { data: x, dims: [4] } });
      s.endProfiling();
      const c = out.c?.data;
      if (!c || Array.from(c as Float32Array).join() !== '2,4,6,8') return { name, works: false, error: 'wrong result' };
      const where = await placements(dir);
      if (!where.includes(ORT_NAMES[name])) {
        return { name, works: false, error: `ran on ${[...new Set(where)].join(', ') || 'an unknown provider'} (silent fallback)` };
      }
      return { name, works: true };
    } finally {
      await s.release();
    }
  } catch (e) {
    return { name, works: false, error: String((e as Error).message ?? e).split('\n')[0].slice(0, 300) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function probeExecutionProviders(
  names: readonly ProviderName[] = ['cpu', 'cuda', 'webgpu', 'dml'],
): Promise<ProviderProbe[]> {
  const model = addModel();
  const out: ProviderProbe[] = [];
  // A provider that cannot load is an expected answer here, not an error worth ORT's red log lines.
  const level = ort.env.logLevel;
  ort.env.logLevel = 'fatal';
  try {
    // One at a time: providers that fail to load can leave ORT's global state busy.
    for (const n of names) out.push(await probeProvider(n, model));
  } finally {
    ort.env.logLevel = level;
  }
  return out;
}
