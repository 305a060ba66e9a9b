// `ftstudio estimate`: memory, verdict, fixes, time and cost of a fine-tuning run before it starts.
import os from 'node:os';
import { resolve } from 'node:path';
import type { ModelSpec } from '../../common/model-spec';
import { LORA_TARGETS, type LoraTarget } from '../../engine/nn/lora';
import { measureMatmulGflops } from '../../engine/jobs/calibrate-matmul';
import { measuredTokensPerSecond } from '../../estimate/calibrate';
import { CATALOG_MODEL_NAMES, catalogModel, CLOUD_PRICES, estimate, EstimateError, flopsPerToken, GPU_CATALOG, type EstimateReport, type EstimateRequest } from '../../estimate';
import { readModelConfig } from '../../models/hf/config';
import { CliError, printResult, type CliContext } from '../output';
import type { FlagValues } from './train';
import { ALTERNATIVES_OPTIONS, alternativesCommand } from './estimate-alternatives';

export const ESTIMATE_OPTIONS = {
  model: { type: 'string' }, 'catalog-model': { type: 'string' }, method: { type: 'string' }, rank: { type: 'string' },
  targets: { type: 'string' }, dropout: { type: 'string' }, precision: { type: 'string' }, 'batch-size': { type: 'string' },
  'seq-len': { type: 'string' }, 'grad-accum': { type: 'string' }, checkpointing: { type: 'boolean' }, device: { type: 'string' },
  profile: { type: 'string' }, optim: { type: 'string' }, tokens: { type: 'string' }, epochs: { type: 'string' },
  utilisation: { type: 'string' }, 'power-w': { type: 'string' }, 'price-kwh': { type: 'string' }, 'price-hour': { type: 'string' },
  'cuda-context-gb': { type: 'string' }, 'cpu-memory-gb': { type: 'string' }, calibrate: { type: 'boolean' }, threads: { type: 'string' },
  'measured-run': { type: 'string' }, 'list-devices': { type: 'boolean' }, ...ALTERNATIVES_OPTIONS,
} as const;

function num(values: FlagValues, name: string, fallback: number | null, { min = 0, int = false, max = Number.MAX_SAFE_INTEGER } = {}): number | null {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || n < min || n > max || (int && !Number.isInteger(n))) {
    throw new CliError(`--${name} must be ${int ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(raw)}.`, 2);
  }
  return n;
}

function choice<T extends string>(values: FlagValues, name: string, allowed: readonly T[], fallback: T): T {
  const raw = values[name];
  if (raw === undefined) return fallback;
  if (!allowed.includes(raw as T)) throw new CliError(`--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}.`, 2);
  return raw as T;
}

function modelSpec(values: FlagValues): { spec: ModelSpec; source: string } {
  const dir = values.model;
  const name = values['catalog-model'];
  if ((dir === undefined) === (name === undefined)) throw new CliError('estimate needs exactly one of --model DIR (a folder with config.json) or --catalog-model NAME.', 2);
  if (typeof name === 'string') {
    const spec = catalogModel(name);
    if (!spec) throw new CliError(`--catalog-model ${JSON.stringify(name)} is not in the catalog (${CATALOG_MODEL_NAMES.join(', ')}).`, 2);
    return { spec, source: `catalog ${name}` };
  }
  try {
    return { spec: readModelConfig(resolve(String(dir))), source: resolve(String(dir)) };
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
}

function targets(values: FlagValues): readonly LoraTarget[] | 'all-linear' {
  const raw = values.targets;
  if (raw === undefined || raw === 'all-linear') return 'all-linear';
  const list = String(raw).split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.find((t) => !LORA_TARGETS.includes(t as LoraTarget));
  if (bad !== undefined || !list.length) throw new CliError(`--targets must be all-linear or a comma list of ${LORA_TARGETS.join(', ')}, got ${JSON.stringify(raw)}.`, 2);
  return list as LoraTarget[];
}

/** Flags → an estimate request (bad values are usage errors, exit 2). */
export async function requestFromFlags(values: FlagValues): Promise<EstimateRequest> {
  const { spec } = modelSpec(values);
  const profile = choice(values, 'profile', ['ours', 'pytorch-peft'] as const, 'ours');
  const device = typeof values.device === 'string' ? values.device : 'cpu';
  const threads = num(values, 'threads', 2, { min: 1, max: 256, int: true })!;
  const calibration = values.calibrate && device === 'cpu' ? await measureMatmulGflops(threads, 5) : null;
  const measuredRun = typeof values['measured-run'] === 'string' ? resolve(values['measured-run']) : null;
  const tps = measuredRun ? measuredTokensPerSecond(measuredRun) : null;
  if (measuredRun && tps == null) throw new CliError(`--measured-run ${measuredRun} has no metrics.jsonl with at least two steps.`, 2);
  const context = num(values, 'cuda-context-gb', null, { min: 0, max: 16 });
  const req: EstimateRequest = {
    spec,
    method: choice(values, 'method', ['lora', 'full'] as const, 'lora'),
    lora: { r: num(values, 'rank', 8, { min: 1, max: 4096, int: true })!, targets: targets(values), dropout: num(values, 'dropout', 0, { max: 0.9 })! },
    precision: choice(values, 'precision', ['fp32', 'fp16', 'bf16'] as const, profile === 'ours' ? 'fp32' : 'bf16'),
    optimizer: choice(values, 'optim', ['adamw', 'sgd', 'sgd-momentum'] as const, 'adamw'),
    batchSize: num(values, 'batch-size', 1, { min: 1, max: 4096, int: true })!,
    seqLen: num(values, 'seq-len', Math.min(1024, spec.maxPositions), { min: 2, max: 1 << 20, int: true })!,
    gradAccum: num(values, 'grad-accum', 1, { min: 1, max: 65536, int: true })!,
    checkpointing: values.checkpointing === true,
    profile,
    device,
    cpu: { memoryBytes: (num(values, 'cpu-memory-gb', null, { min: 0.1 }) ?? os.totalmem() / 1e9) * 1e9, matmulGflops: calibration?.gflops ?? null, powerW: num(values, 'power-w', null) },
    datasetTokens: num(values, 'tokens', null, { min: 1 }),
    epochs: num(values, 'epochs', 1, { min: 0.001, max: 10_000 })!,
    utilisation: num(values, 'utilisation', null, { min: 0.01, max: 1 }) ?? undefined,
    powerW: num(values, 'power-w', null),
    pricePerKwh: num(values, 'price-kwh', null),
    pricePerHour: num(values, 'price-hour', null),
    ...(context != null ? { options: { runtimeBytes: context * 1e9 } } : {}),
  };
  // A measured rate is of the run's own configuration: the request's shape stands in for it (same model).
  if (tps != null) req.measured = { tokensPerSecond: tps, flopsPerToken: flopsPerToken({ ...req, device: device === 'cpu' ? 'cpu' : 'gpu' }) };
  return req;
}

const gb = (b: number) => `${(b / 1e9).toFixed(2)} GB`;
const dur = (s: number) => (s < 3600 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(1)} h`);

function human(r: EstimateReport, req: EstimateRequest): string {
  const v = r.verdict;
  const lines = [
    `Estimate (${req.profile}) on ${r.device.name}: ${req.method}${req.method === 'lora' ? ` r${req.lora.r}` : ''}, ${req.precision}, batch ${req.batchSize} × ${req.seqLen} tokens × accum ${req.gradAccum}${req.checkpointing ? ', checkpointing' : ''}`,
    `Parameters  ${(r.memory.params.total / 1e9).toFixed(2)} B total, ${(r.memory.params.trainable / 1e6).toFixed(2)} M trainable`,
    'Memory',
    ...r.memory.components.filter((c) => c.bytes > 0).map((c) => `  ${c.key.padEnd(18)} ${gb(c.bytes).padStart(10)}  ${c.note}`),
    `  ${'total'.padEnd(18)} ${gb(r.memory.totalBytes).padStart(10)}  of ${gb(v.capacityBytes)} (${(v.share * 100).toFixed(0)}%)`,
    `Verdict     ${v.status === 'oom' ? 'OUT OF MEMORY' : v.status}: margin ${gb(v.marginBytes)}`,
    ...r.fixes.slice(0, 6).map((f, i) => `  fix ${i + 1}: ${f.title} → ${gb(f.totalBytes)} (${f.verdict.status}${f.timeFactor !== 1 ? `, time ×${f.timeFactor.toFixed(2)}` : ''})${f.changesResult ? ' [changes what is trained]' : ''}`),
    ...r.memory.warnings.map((w) => `  note: ${w}`),
  ];
  if (r.time) {
    lines.push(`Time        ${(r.time.flops.total / 1e12).toFixed(2)} TFLOP per step, ${r.time.tokensPerSecond.toFixed(0)} tokens/s, ${r.time.stepSeconds.toFixed(2)} s per step (${r.time.source})`);
    if (r.time.totalSeconds != null) lines.push(`ETA         ${dur(r.time.totalSeconds)} for ${r.time.steps} steps`);
  } else lines.push('Time        unknown: pass --calibrate (CPU) or a GPU --device, or --measured-run DIR');
  if (r.cost) {
    const c = r.cost;
    lines.push(`Cost        ${c.energyKwh == null ? 'energy unknown (--power-w)' : `${c.energyKwh.toFixed(2)} kWh`}${c.electricityCost != null ? `, electricity ${c.electricityCost.toFixed(2)}` : ''}${c.cloudCost != null ? `, cloud ${c.cloudCost.toFixed(2)} ${CLOUD_PRICES.currency}${req.pricePerHour == null ? ` (example price of ${CLOUD_PRICES.date})` : ''}` : ''}`);
  }
  return lines.join('\n');
}

export async function estimateCommand(ctx: CliContext, values: FlagValues): Promise<number> {
  if (values['list-devices']) {
    printResult(ctx, { gpus: GPU_CATALOG, cloudPrices: CLOUD_PRICES, models: CATALOG_MODEL_NAMES }, () =>
      [...GPU_CATALOG.map((g) => `${g.id.padEnd(16)} ${g.name} — ${g.memoryGiB} GB, bf16 ${g.tflops.bf16 ?? '—'} TFLOPS, cc ${g.computeCapability}, ${g.tdpW} W`), `models: ${CATALOG_MODEL_NAMES.join(', ')}`].join('\n'));
    return 0;
  }
  const req = await requestFromFlags(values);
  if (values.alternatives) return alternativesCommand(ctx, values, req);
  let report: EstimateReport;
  try {
    report = estimate(req);
  } catch (err) {
    if (err instanceof EstimateError) throw new CliError(err.message, 2);
    throw err;
  }
  const { spec, cpu: _cpu, ...settings } = req;
  printResult(ctx, { input: { ...settings, architecture: spec.architecture }, spec, ...report }, () => human(report, req));
  return 0; // an out-of-memory verdict is a successful estimate
}
