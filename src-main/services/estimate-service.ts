// The estimator behind the API: run settings → the estimator's request, and its report → the contract's plain output.
import os from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { ApiError } from '../common/errors';
import type { EstimateAlternativesOutput, EstimateAlternativesParsed } from '../common/alternatives';
import type { CpuCalibration } from '../common/calibration';
import type { EstimateOptions, EstimateRunOutput, EstimateRunParsed, FixChange } from '../common/estimate';
import type { Job } from '../common/jobs';
import { ESTIMATE_TARGETS } from '../common/estimate';
import type { ModelSpec } from '../common/model-spec';
import {
  CATALOG_MODEL_NAMES, CLOUD_PRICES, GPU_CATALOG, catalogModel, estimate, EstimateError, type EstimateRequest,
} from '../estimate';
import { estimateAlternatives } from '../estimate/alternatives';
import { cloudPricePerHour, gpuMemoryBytes, supports } from '../estimate/catalog';
import type { Fix } from '../estimate/verdict';
import { DEFAULT_POWER_FRACTION } from '../estimate/cost';
import { paramCounts } from '../estimate/shapes';
import { readModelConfig } from '../models/hf/config';
import { readCalibration } from './estimate/calibration';
import { latestMeasuredRun, type MeasuredRun } from './estimate/calibration-runs';
import { timeOutput } from './estimate/time-output';

export interface EstimateService {
  options(): EstimateOptions;
  run(input: EstimateRunParsed): Promise<EstimateRunOutput>;
  /** This CPU's cached MatMul calibration, or null when there is none for this CPU, thread count and runtime. */
  calibration(threads?: number): CpuCalibration | null;
  alternatives(input: EstimateAlternativesParsed): EstimateAlternativesOutput;
}

export interface EstimateServiceOptions {
  /** This machine's memory, the capacity of a 'cpu' estimate (default: os.totalmem()). */
  cpuMemoryBytes?: number;
  /** Where relative model folders are resolved from (default: the process's working folder). */
  cwd?: string;
  /** The cached CPU calibration (services/estimate/calibration.ts); absent: CPU times stay unknown. */
  calibrationFile?: string;
  /** The jobs list, for the measured tokens/s of earlier training runs of the same model. */
  jobs?: () => Promise<readonly Job[]>;
}

/** A catalog model name or a model folder → its spec (also behind models.spec, for the Adapter wizard). */
export function modelSpec(model: string, cwd: string): { spec: ModelSpec; name: string; source: 'catalog' | 'folder' } {
  const spec = catalogModel(model);
  if (spec) return { spec, name: CATALOG_MODEL_NAMES.find((n) => n.toLowerCase() === model.toLowerCase()) ?? model, source: 'catalog' };
  const dir = isAbsolute(model) ? model : resolve(cwd, model);
  try {
    return { spec: readModelConfig(dir), name: dir, source: 'folder' };
  } catch (err) {
    // Neither a catalog name nor a readable model folder: say both, so a typo in either is easy to see.
    throw new ApiError('invalid-input', `Model ${JSON.stringify(model)} is not in the catalog (${CATALOG_MODEL_NAMES.join(', ')}) and not a model folder: ${(err as Error).message}`);
  }
}

/** The API's run settings → the estimator's request (a CPU estimate's capacity is this machine's memory). */
function toRequest(input: EstimateRunParsed, spec: ModelSpec, cpuMemoryBytes: number): EstimateRequest {
  // P-tuning's virtual tokens go through every layer with the text: the model sees seqLen + n positions.
  const pt = input.method === 'ptuning' ? input.ptuning ?? { virtualTokens: 20, encoder: 'mlp' as const, encoderHidden: spec.hiddenSize } : null;
  return {
    spec,
    method: input.method,
    lora: { r: input.rank, targets: input.targets, dropout: 0 },
    ...(pt ? { ptuning: pt } : {}),
    precision: input.precision,
    optimizer: input.optimizer,
    batchSize: input.batchSize,
    seqLen: input.seqLen + (pt?.virtualTokens ?? 0),
    gradAccum: input.gradAccum,
    checkpointing: input.checkpointing,
    profile: input.profile,
    device: input.device,
    // Calibrated by a `calibrate` engine job (never MatMuls in the app's process); until then CPU time stays unknown.
    cpu: { memoryBytes: cpuMemoryBytes, matmulGflops: null, powerW: input.powerW ?? null },
    datasetTokens: input.tokens ?? null,
    epochs: input.epochs ?? 1,
    powerW: input.powerW ?? null,
    pricePerKwh: input.pricePerKwh ?? null,
    pricePerHour: input.pricePerHour ?? null,
  };
}

function asApiError(err: unknown): unknown {
  return err instanceof EstimateError ? new ApiError('invalid-input', err.message) : err;
}

/** The estimator names a fix's LoRA change as a whole LoraShape; the API names it as the inputs do (rank, targets). */
function fixChange(change: Fix['change']): FixChange {
  const { lora, ...rest } = change;
  return lora ? { ...rest, rank: lora.r, targets: lora.targets === 'all-linear' ? 'all-linear' : [...lora.targets] } : rest;
}

export function createEstimateService(opts: EstimateServiceOptions = {}): EstimateService {
  const cpuMemoryBytes = opts.cpuMemoryBytes ?? os.totalmem();
  const cwd = opts.cwd ?? process.cwd();
  const calibration = (threads?: number) => (opts.calibrationFile ? readCalibration(opts.calibrationFile, threads) : null);

  return {
    options() {
      const models = CATALOG_MODEL_NAMES.map((name) => {
        const s = catalogModel(name)!;
        return {
          name, architecture: s.architecture, params: paramCounts(s).total, numLayers: s.numLayers, hiddenSize: s.hiddenSize,
          numHeads: s.numHeads, vocabSize: s.vocabSize, maxPositions: s.maxPositions,
        };
      });
      const devices = [
        { id: 'cpu', name: 'This computer (CPU)', kind: 'cpu' as const, memoryBytes: cpuMemoryBytes, bf16: false, pricePerHour: null },
        ...GPU_CATALOG.map((g) => ({
          id: g.id, name: g.name, kind: 'gpu' as const, memoryBytes: gpuMemoryBytes(g), bf16: supports(g, 'bf16'), pricePerHour: cloudPricePerHour(g),
        })),
      ];
      return { models, devices, precisions: ['fp32', 'fp16', 'bf16'], targets: [...ESTIMATE_TARGETS], currency: CLOUD_PRICES.currency, priceDate: CLOUD_PRICES.date };
    },

    calibration,

    async run(input) {
      const { spec, name, source } = modelSpec(input.model, cwd);
      const req = toRequest(input, spec, cpuMemoryBytes);
      // This CPU's two calibrations: the MatMul benchmark, and (our engine only) earlier training runs of this model.
      const onCpu = input.device.toLowerCase() === 'cpu';
      const cal = onCpu ? calibration() : null;
      const measured: MeasuredRun | null = onCpu && input.profile === 'ours' && opts.jobs ? latestMeasuredRun(await opts.jobs().catch(() => []), spec, input.precision) : null;
      if (cal) req.cpu = { ...req.cpu!, matmulGflops: cal.gflops };
      if (measured) req.measured = { tokensPerSecond: measured.tokensPerSecond, flopsPerToken: measured.flopsPerToken };
      let r;
      try {
        r = estimate(req);
      } catch (err) {
        throw asApiError(err);
      }
      const pricePerHour = input.pricePerHour ?? (r.device.gpu ? cloudPricePerHour(r.device.gpu) : null);
      return {
        model: { name, source, architecture: spec.architecture, numLayers: spec.numLayers, hiddenSize: spec.hiddenSize },
        device: { kind: r.device.kind, id: r.device.gpu?.id ?? 'cpu', name: r.device.kind === 'cpu' ? 'This computer (CPU)' : r.device.name, capacityBytes: r.device.capacityBytes },
        memory: { ...r.memory, components: r.memory.components.map((c) => ({ ...c })) },
        verdict: r.verdict,
        fixes: r.fixes.map((f) => ({ ...f, change: fixChange(f.change) })),
        time: r.time && timeOutput(r.time, r.device.kind, cal, measured),
        cost: r.cost && {
          ...r.cost,
          powerW: req.powerW ?? (r.device.gpu?.tdpW != null ? r.device.gpu.tdpW * DEFAULT_POWER_FRACTION : null),
          pricePerHour,
          currency: CLOUD_PRICES.currency,
          examplePrice: input.pricePerHour == null && pricePerHour != null,
          priceDate: CLOUD_PRICES.date,
        },
      };
    },

    alternatives(input) {
      const { spec } = modelSpec(input.model, cwd);
      const req = toRequest(input, spec, cpuMemoryBytes);
      let r;
      try {
        r = estimateAlternatives({
          ...req, promptTokens: input.promptTokens, answerTokens: input.answerTokens, instructionTokens: input.instructionTokens,
          shots: input.shots, exampleTokens: input.exampleTokens, corpusTokens: input.corpusTokens, retrievedTokens: input.retrievedTokens,
          embeddingParams: input.embeddingParams,
          ptuning: { virtualTokens: input.virtualTokens, encoder: input.encoder, encoderHidden: input.encoderHidden ?? spec.hiddenSize },
        });
      } catch (err) {
        throw asApiError(err);
      }
      const pricePerHour = input.pricePerHour ?? (r.device.gpu ? cloudPricePerHour(r.device.gpu) : null);
      return {
        device: { kind: r.device.kind, id: r.device.gpu?.id ?? 'cpu', name: r.device.kind === 'cpu' ? 'This computer (CPU)' : r.device.name, capacityBytes: r.device.capacityBytes },
        baseRequestTokens: r.baseRequestTokens,
        currency: CLOUD_PRICES.currency,
        examplePrice: input.pricePerHour == null && pricePerHour != null,
        alternatives: r.alternatives,
      };
    },
  };
}
