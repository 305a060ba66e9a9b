// `ftstudio estimate --alternatives`: the run beside prompting, few-shot, RAG, P-tuning, LoRA and full fine-tuning.
import { estimateAlternatives, type AlternativesReport } from '../../estimate/alternatives';
import { CLOUD_PRICES, EstimateError, type EstimateRequest } from '../../estimate';
import { CliError, printResult, type CliContext } from '../output';
import type { FlagValues } from './train';

export const ALTERNATIVES_OPTIONS = {
  alternatives: { type: 'boolean' }, 'prompt-tokens': { type: 'string' }, 'answer-tokens': { type: 'string' },
  'instruction-tokens': { type: 'string' }, shots: { type: 'string' }, 'corpus-tokens': { type: 'string' },
  'retrieved-tokens': { type: 'string' }, 'virtual-tokens': { type: 'string' },
} as const;

function int(values: FlagValues, name: string, fallback: number | null, max = 1e13): number | null {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isInteger(n) || n < 0 || n > max) throw new CliError(`--${name} must be an integer from 0 to ${max}, got ${JSON.stringify(raw)}.`, 2);
  return n;
}

const eng = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} B` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(Math.round(n)));
const dur = (s: number | null) => (s == null ? '—' : s === 0 ? 'none' : s < 3600 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(1)} h`);

function human(r: AlternativesReport): string {
  const money = (c: { cloudCost: number | null; electricityCost: number | null } | null) => {
    const v = c?.cloudCost ?? c?.electricityCost ?? null;
    return v == null ? '—' : `${v.toPrecision(3)} ${CLOUD_PRICES.currency}`;
  };
  const head = `${'approach'.padEnd(9)} ${'trained'.padStart(9)} ${'memory'.padStart(10)} ${'verdict'.padEnd(7)} ${'one-time'.padStart(9)} ${'cost'.padStart(12)} ${'+tokens/req'.padStart(11)}  repaid after (requests)`;
  const rows = r.alternatives.map((a) => [
    a.kind.padEnd(9), (a.trains ? eng(a.trainableParams) : '—').padStart(9), `${(a.memory.totalBytes / 1e9).toFixed(2)} GB`.padStart(10),
    a.memory.verdict.status.padEnd(7), (a.oneTime.flops === 0 ? 'none' : dur(a.oneTime.seconds)).padStart(9),
    (a.oneTime.flops === 0 ? '—' : money(a.oneTime.cost)).padStart(12), String(a.perRequest.extraTokens).padStart(11),
    ` ${a.repaidAfter.map((x) => `vs ${x.versus} ${x.requests == null ? 'never' : eng(x.requests)}`).join(', ')}`,
  ].join(' '));
  return [`Alternatives on ${r.device.name} (a request: ${r.baseRequestTokens} tokens of prompt and answer)`, head, ...rows,
    'memory: training peak for the methods that train, serving peak for the others; repaid after: requests whose saved compute pays for the training'].join('\n');
}

export function alternativesCommand(ctx: CliContext, values: FlagValues, req: EstimateRequest): number {
  const promptTokens = int(values, 'prompt-tokens', 200)!;
  const answerTokens = int(values, 'answer-tokens', 100)!;
  let report: AlternativesReport;
  try {
    report = estimateAlternatives({
      ...req, promptTokens, answerTokens, instructionTokens: int(values, 'instruction-tokens', 150)!, shots: int(values, 'shots', 3, 64)!,
      corpusTokens: int(values, 'corpus-tokens', null), retrievedTokens: int(values, 'retrieved-tokens', 1024)!, embeddingParams: null,
      ptuning: { virtualTokens: int(values, 'virtual-tokens', 20, 1024)!, encoder: 'mlp', encoderHidden: req.spec.hiddenSize },
    });
  } catch (err) {
    if (err instanceof EstimateError) throw new CliError(err.message, 2);
    throw err;
  }
  printResult(ctx, { device: { kind: report.device.kind, name: report.device.name, capacityBytes: report.device.capacityBytes }, baseRequestTokens: report.baseRequestTokens, alternatives: report.alternatives }, () => human(report));
  return 0;
}
