// The alternatives advisor: prompting, few-shot, RAG, P-tuning, LoRA and full fine-tuning on the same model, device and
// prices — trainable parameters, peak memory and verdict, one-time work (training or embedding a corpus), per-request cost.
import { bytesOf } from './profiles';
import { costOf, estimate, resolveDevice, throughputOf, type EstimateReport, type EstimateRequest } from './index';
import { inferenceMemory, requestFlops } from './inference';
import { stepFlops } from './time';
import type { CostEstimate } from './cost';
export type { AlternativeKind } from '../common/alternatives';
import type { EstimateInput, PTuningShape } from './types';
import { verdictOf, type Verdict } from './verdict';

import type { AlternativeKind } from '../common/alternatives';

const PROMPTING: readonly AlternativeKind[] = ['prompt', 'few-shot', 'rag'];

export interface AlternativesRequest extends EstimateRequest {
  /** Mean tokens of a request's own prompt and of its answer (the dataset's means, or typed). */
  promptTokens: number;
  answerTokens: number;
  /** The longer instruction prompt engineering (and few-shot, RAG) puts in front of every request. */
  instructionTokens: number;
  /** Few-shot: k examples of `exampleTokens` each (default: the dataset's mean, prompt + answer). */
  shots: number;
  exampleTokens?: number;
  /** RAG: the document corpus (null: none, no RAG row), the retrieved context per request, the embedding model's size
   * (null: the model's own forward is the stand-in) and the chunk length the corpus is embedded in. */
  corpusTokens: number | null;
  retrievedTokens: number;
  embeddingParams: number | null;
  chunkTokens?: number;
  ptuning: PTuningShape;
}

export interface OneTime {
  /** Training (all epochs) or embedding the corpus; null without a token count. */
  flops: number | null;
  seconds: number | null;
  cost: CostEstimate | null;
}

export interface PerRequest {
  tokens: number;
  /** Tokens beyond the fine-tuned model's request (prompt + answer alone). */
  extraTokens: number;
  flops: number;
  extraFlops: number;
  extraSeconds: number | null;
  extraCost: CostEstimate | null;
}

export interface Alternative {
  kind: AlternativeKind;
  trains: boolean;
  trainableParams: number;
  /** Training's peak for the methods that train, serving's for those that do not. */
  memory: { totalBytes: number; verdict: Verdict; phase: 'training' | 'inference' };
  oneTime: OneTime;
  perRequest: PerRequest;
  /** Methods that train: requests after which their one-time cost is repaid by the per-request savings over each
   * prompting alternative (in compute, so one price per FLOP for training and serving); null = never. */
  repaidAfter: { versus: AlternativeKind; requests: number | null }[];
  notes: string[];
}

export interface AlternativesReport {
  device: EstimateReport['device'];
  /** The fine-tuned model's request: what every alternative's extra tokens are counted against. */
  baseRequestTokens: number;
  alternatives: Alternative[];
}

/** One-time cost `a` and per-request cost `r` of two options: the requests after which `train` is cheaper than `alt`. */
export function breakEvenRequests(train: { oneTime: number; perRequest: number }, alt: { oneTime: number; perRequest: number }): number | null {
  const saved = alt.perRequest - train.perRequest;
  if (saved <= 0) return null;
  return Math.max(0, Math.ceil((train.oneTime - alt.oneTime) / saved));
}

/** Corpus embedding: 2·N_e FLOPs per token with an embedding model of N_e parameters, else the model's own forward over
 * chunks of `chunk` tokens (its attention included). */
export function embeddingFlops(base: EstimateInput, tokens: number, embeddingParams: number | null, chunk: number): number {
  if (tokens <= 0) return 0;
  if (embeddingParams != null) return 2 * embeddingParams * tokens;
  return requestFlops(base, chunk) * (tokens / chunk);
}

export function estimateAlternatives(req: AlternativesRequest): AlternativesReport {
  const device = resolveDevice(req);
  const base: EstimateInput = { ...req, device: device.kind };
  const rate = throughputOf(req, device);
  const effective = rate ? rate.peakFlops * rate.utilisation : null;
  const seconds = (flops: number | null) => (flops == null || effective == null ? null : flops / effective);
  const cost = (s: number | null) => (s == null ? null : costOf(req, device, s));

  const P = req.promptTokens + req.answerTokens;
  const example = req.exampleTokens ?? P;
  const baseFlops = requestFlops(base, P);
  const perRequest = (extraTokens: number, extraFlops = 0): PerRequest => {
    const flops = requestFlops(base, P + extraTokens) + extraFlops;
    const extra = flops - baseFlops;
    const s = seconds(extra);
    return { tokens: P + extraTokens, extraTokens, flops, extraFlops: extra, extraSeconds: s, extraCost: cost(s) };
  };
  const serving = (tokens: number, extraWeights = 0) => {
    const m = inferenceMemory(base, tokens, extraWeights);
    return { totalBytes: m.totalBytes, verdict: verdictOf(m.totalBytes, device.capacityBytes), phase: 'inference' as const };
  };
  const oneTime = (flops: number | null): OneTime => ({ flops, seconds: seconds(flops), cost: cost(seconds(flops)) });
  const none: OneTime = { flops: 0, seconds: 0, cost: cost(0) };

  const out: Alternative[] = [];
  const instr = req.instructionTokens;
  out.push({
    kind: 'prompt', trains: false, trainableParams: 0, memory: serving(P + instr), oneTime: none, perRequest: perRequest(instr), repaidAfter: [],
    notes: [`a ${instr}-token instruction in front of every request`],
  });
  const shotTokens = instr + req.shots * example;
  out.push({
    kind: 'few-shot', trains: false, trainableParams: 0, memory: serving(P + shotTokens), oneTime: none, perRequest: perRequest(shotTokens), repaidAfter: [],
    notes: [`${req.shots} examples of ${Math.round(example)} tokens each, plus the instruction, in every request`],
  });
  if (req.corpusTokens != null && req.corpusTokens > 0) {
    const chunk = req.chunkTokens ?? 512;
    const ragTokens = instr + req.retrievedTokens;
    const query = embeddingFlops(base, req.promptTokens, req.embeddingParams, Math.min(chunk, Math.max(1, req.promptTokens)));
    // The embedding model sits beside the model while serving, in the activation dtype (fp32 in our engine).
    const embedWeights = (req.embeddingParams ?? 0) * (req.profile === 'ours' ? 4 : bytesOf(req.precision));
    out.push({
      kind: 'rag', trains: false, trainableParams: 0, memory: serving(P + ragTokens, embedWeights),
      oneTime: oneTime(embeddingFlops(base, req.corpusTokens, req.embeddingParams, chunk)), perRequest: perRequest(ragTokens, query), repaidAfter: [],
      notes: [
        `the ${req.corpusTokens.toLocaleString('en')}-token corpus embedded once (${req.embeddingParams == null ? 'the model\'s own forward as a stand-in for an embedding model' : `a ${(req.embeddingParams / 1e6).toFixed(0)} M-parameter embedding model`}); ${req.retrievedTokens} retrieved tokens and the query's embedding per request`,
      ],
    });
  }

  const trained = (kind: 'ptuning' | 'lora' | 'full', r: EstimateRequest, perReq: PerRequest, notes: string[]): Alternative => {
    const rep = estimate(r);
    const flops = r.datasetTokens == null ? null : stepFlops({ ...r, device: device.kind }).perToken * r.datasetTokens * (r.epochs ?? 1);
    return {
      kind, trains: true, trainableParams: rep.memory.params.trainable,
      memory: { totalBytes: rep.memory.totalBytes, verdict: rep.verdict, phase: 'training' },
      oneTime: { flops, seconds: rep.time?.totalSeconds ?? null, cost: rep.cost }, perRequest: perReq, repaidAfter: [], notes,
    };
  };
  const nv = req.ptuning.virtualTokens;
  // The virtual tokens lengthen every training sequence (and so the token count the epochs run over) by nv.
  const ptTokens = req.datasetTokens == null ? null : req.datasetTokens * (1 + nv / Math.max(1, example));
  out.push(trained('ptuning', { ...req, method: 'ptuning', seqLen: req.seqLen + nv, datasetTokens: ptTokens }, perRequest(nv), [
    `${nv} virtual tokens × hidden ${req.spec.hiddenSize} through a ${req.ptuning.encoder === 'none' ? 'plain embedding' : `${req.ptuning.encoder.toUpperCase()} prompt encoder (hidden ${req.ptuning.encoderHidden})`}; the backward runs through every layer down to the input`,
    'serving adds the virtual tokens to every request (the encoder\'s output is computed once)',
  ]));
  out.push(trained('lora', { ...req, method: 'lora' }, perRequest(0), ['no per-request cost once the adapter is merged into the weights']));
  out.push(trained('full', { ...req, method: 'full' }, perRequest(0), ['a whole new copy of the model to store and serve']));

  const prompting = out.filter((a) => PROMPTING.includes(a.kind));
  for (const a of out.filter((x) => x.trains)) {
    a.repaidAfter = a.oneTime.flops == null ? [] : prompting.map((p) => ({
      versus: p.kind,
      requests: breakEvenRequests({ oneTime: a.oneTime.flops!, perRequest: a.perRequest.flops }, { oneTime: p.oneTime.flops ?? 0, perRequest: p.perRequest.flops }),
    }));
  }
  return { device, baseRequestTokens: P, alternatives: out };
}
