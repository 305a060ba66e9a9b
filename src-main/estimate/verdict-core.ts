// The verdict (fits / tight / out of memory, with the margin) and the shape of a fix: shared by the single fixes
// (verdict.ts) and their combinations (combine.ts).
import type { EstimateInput } from './types';

/** Above this share of the capacity a run is 'tight': allocator fragmentation and longer batches can tip it over. */
export const TIGHT_SHARE = 0.85;

export type VerdictStatus = 'fits' | 'tight' | 'oom';
export interface Verdict { status: VerdictStatus; usedBytes: number; capacityBytes: number; marginBytes: number; share: number }

export function verdictOf(usedBytes: number, capacityBytes: number): Verdict {
  const share = usedBytes / capacityBytes;
  const status: VerdictStatus = share > 1 ? 'oom' : share > TIGHT_SHARE ? 'tight' : 'fits';
  return { status, usedBytes, capacityBytes, marginBytes: capacityBytes - usedBytes, share };
}

export type FixKind = 'combined' | 'micro-batch' | 'checkpointing' | 'shorter-seq' | 'lora' | 'lower-rank' | 'fewer-targets' | 'lower-precision' | 'larger-gpu' | 'model-parallel';

export interface Fix {
  kind: FixKind;
  title: string;
  /** What to change (flags of `ftstudio estimate`); empty for advice. */
  change: Partial<Pick<EstimateInput, 'batchSize' | 'gradAccum' | 'checkpointing' | 'seqLen' | 'lora' | 'precision'>> & { method?: 'lora' | 'full'; device?: string };
  totalBytes: number;
  savedBytes: number;
  verdict: Verdict;
  /** Time per token relative to now (1.25 = 25% slower), from the FLOPs of the same step. */
  timeFactor: number;
  /** The fix changes what is trained (shorter sequences truncate data, lower rank / fewer targets change the adapter). */
  changesResult: boolean;
  note: string;
}
