// The advisor's words: each alternative's name and idea, and the plain reasons when prompting or RAG is enough and when fine-tuning pays.
import type { Alternative, AlternativeKind, BaselineRow, EstimateAlternativesOutput } from '../../../../src-main/common/alternatives';
import { count, hours } from './explain';

export const ALTERNATIVE_WORDS: Record<AlternativeKind, { label: string; idea: string }> = {
  prompt: { label: 'Prompt engineering', idea: 'A clearer instruction; nothing is trained.' },
  'few-shot': { label: 'Few-shot prompting', idea: 'Worked examples in every prompt; nothing is trained.' },
  rag: { label: 'RAG', idea: 'Retrieve passages from your documents into each prompt.' },
  ptuning: { label: 'P-tuning', idea: 'Learn a few virtual prompt tokens; the model stays frozen.' },
  lora: { label: 'LoRA', idea: 'Learn small low-rank updates to the weights.' },
  full: { label: 'Full fine-tuning', idea: 'Update every weight.' },
};

/** Money of a cost: the cloud rental where there is a price, else the electricity; null when neither is known. */
export function moneyOf(cost: Alternative['oneTime']['cost'] | null): number | null {
  return cost?.cloudCost ?? cost?.electricityCost ?? null;
}

export function money(v: number | null, currency: string): string {
  if (v == null) return '—';
  if (v === 0) return `0 ${currency}`;
  if (v < 0.01) return `${v.toPrecision(2)} ${currency}`;
  return `${v < 10 ? v.toFixed(2) : v.toFixed(0)} ${currency}`;
}

export function duration(seconds: number | null): string {
  if (seconds == null) return '—';
  return seconds === 0 ? 'none' : hours(seconds / 3600);
}

export function requests(n: number | null): string {
  if (n == null) return 'never';
  return n < 1000 ? String(n) : count(n);
}

export interface AdviceInput {
  result: EstimateAlternativesOutput;
  capability: string;
  hasCorpus: boolean;
  shortAnswers: boolean;
  baseline: BaselineRow[];
}

/** The plain-word reasons, most important first. */
export function adviceLines(a: AdviceInput): string[] {
  const out: string[] = [];
  const by = Object.fromEntries(a.result.alternatives.map((x) => [x.kind, x])) as Partial<Record<AlternativeKind, Alternative>>;
  if (!a.capability.trim()) out.push('Name the capability that must improve first: a fine-tune is only worth its cost if it measurably improves that, on an eval set it never trained on.');
  const fewShot = by['few-shot'];
  const lora = by.lora;
  if (fewShot) {
    const factor = fewShot.perRequest.flops / Math.max(1, fewShot.perRequest.flops - fewShot.perRequest.extraFlops);
    out.push(`Try prompting first: it trains nothing and can be changed in minutes. ${fewShot.perRequest.extraTokens} extra tokens of instruction and examples make every request about ${factor.toFixed(1)}× the compute of the fine-tuned model's.`);
  }
  const vsFewShot = lora?.repaidAfter.find((r) => r.versus === 'few-shot');
  if (lora && vsFewShot) {
    out.push(vsFewShot.requests == null
      ? 'LoRA never pays for itself against few-shot prompting in compute here: fine-tune only if the baseline shows prompting falls short.'
      : `LoRA's training is repaid after about ${requests(vsFewShot.requests)} requests compared with few-shot prompting: below that volume, prompting is cheaper; above it, the fine-tune is — if it is also better.`);
  }
  if (a.hasCorpus && by.rag) {
    out.push('The knowledge lives in your documents: RAG brings it in at request time and stays right when the documents change. Fine-tuning teaches format, style and behaviour; it is an unreliable way to store facts.');
  } else if (!a.hasCorpus) {
    out.push('Without a document corpus there is nothing to retrieve, so RAG is left out. If the capability is knowing facts from documents, RAG is usually the better first step.');
  }
  if (lora && lora.memory.verdict.status === 'oom') out.push('LoRA does not fit this device as set: the fixes above (smaller micro-batch, checkpointing, shorter length) or a larger GPU make it fit.');
  if (by.full && by.full.memory.verdict.status === 'oom' && lora && lora.memory.verdict.status !== 'oom') out.push('Full fine-tuning does not fit where LoRA does: it keeps gradients and optimizer state for every weight.');
  if (by.ptuning && lora) {
    // With a prompt encoder as wide as the model P-tuning can train more parameters than a small LoRA: say which.
    const than = by.ptuning.trainableParams < lora.trainableParams ? 'fewer' : 'more';
    out.push(`P-tuning trains ${count(by.ptuning.trainableParams)} parameters (virtual tokens and their prompt encoder; ${than} than LoRA's ${count(lora.trainableParams)}), but its backward still runs through every layer, so it takes about as long as LoRA, and its virtual tokens ride along in every request.`);
  }
  const zero = a.baseline.find((r) => r.shots === 0 && r.loss != null);
  const best = a.baseline.filter((r) => r.shots > 0 && r.loss != null).sort((x, y) => x.loss! - y.loss!)[0];
  if (zero && best && a.baseline.every((r) => r.state === 'completed')) {
    const gain = 1 - best.loss! / zero.loss!;
    out.push(gain > 0.1
      ? `${best.shots} examples lower the base model's loss from ${zero.loss!.toFixed(2)} to ${best.loss!.toFixed(2)}: few-shot prompting already helps, and a fine-tune must beat ${best.loss!.toFixed(2)} on this eval set to be worth it.`
      : `Examples barely move the base model's loss (${zero.loss!.toFixed(2)} → ${best.loss!.toFixed(2)}): prompting does not teach this; fine-tuning is the way, and it must beat ${Math.min(zero.loss!, best.loss!).toFixed(2)}.`);
  }
  if (a.shortAnswers) out.push('Short answers: exact match is the natural score — tick “also measure exact match” in the baseline: the model answers by greedy decoding and each answer is compared with the reference.');
  return out;
}
