// Training batches: a seeded order per epoch, right-padded collation, and a position that a checkpoint can resume from.
import { Prng } from '../nn/prng';

export const IGNORE_INDEX = -100;

export interface Example { inputIds: number[]; labels: number[] }

/** Where the stream stands: the next micro-batch starts at `index` in `epoch`'s order. */
export interface DataPosition { epoch: number; index: number }

export interface Batch {
  inputIds: BigInt64Array; // [B, S]
  labels: BigInt64Array; // [B, S], IGNORE_INDEX on padding and masked prompt tokens
  dims: [number, number];
  /** Tokens the loss counts: labels[:, 1:] that are not ignored (the loss shifts labels by one inside the graph). */
  countedTokens: number;
  /** Input tokens without the padding. */
  realTokens: number;
}

/** The order of epoch `epoch`: Fisher-Yates with a generator seeded by (seed, epoch), so any epoch can be rebuilt alone. */
export function epochOrder(size: number, seed: number, epoch: number, shuffle: boolean): Uint32Array {
  const order = new Uint32Array(size);
  for (let i = 0; i < size; i++) order[i] = i;
  if (!shuffle) return order;
  const rng = new Prng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca77)) >>> 0);
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** Right padding: with causal attention real tokens never attend to the pads after them, so no mask is needed. */
export function collate(examples: readonly Example[], padId: number): Batch {
  const S = Math.max(...examples.map((e) => e.inputIds.length));
  const B = examples.length;
  const inputIds = new BigInt64Array(B * S).fill(BigInt(padId));
  const labels = new BigInt64Array(B * S).fill(BigInt(IGNORE_INDEX));
  let countedTokens = 0;
  examples.forEach((e, b) => {
    for (let s = 0; s < e.inputIds.length; s++) {
      inputIds[b * S + s] = BigInt(e.inputIds[s]);
      labels[b * S + s] = BigInt(e.labels[s]);
      if (s > 0 && e.labels[s] !== IGNORE_INDEX) countedTokens++;
    }
  });
  const realTokens = examples.reduce((n, e) => n + e.inputIds.length, 0);
  return { inputIds, labels, dims: [B, S], countedTokens, realTokens };
}

/** An endless stream of micro-batches over epochs; the last batch of an epoch may be smaller (as HF keeps it). */
export class BatchStream {
  private order: Uint32Array;

  constructor(
    private readonly examples: readonly Example[],
    private readonly batchSize: number,
    private readonly seed: number,
    private readonly shuffle: boolean,
    private readonly padId: number,
    private pos: DataPosition = { epoch: 0, index: 0 },
  ) {
    if (!examples.length) throw new Error('The training data has no examples.');
    this.order = epochOrder(examples.length, seed, pos.epoch, shuffle);
  }

  get position(): DataPosition {
    return { ...this.pos };
  }

  /** Micro-batches in one epoch. */
  get batchesPerEpoch(): number {
    return Math.ceil(this.examples.length / this.batchSize);
  }

  next(): Batch {
    if (this.pos.index >= this.examples.length) {
      this.pos = { epoch: this.pos.epoch + 1, index: 0 };
      this.order = epochOrder(this.examples.length, this.seed, this.pos.epoch, this.shuffle);
    }
    const end = Math.min(this.pos.index + this.batchSize, this.examples.length);
    const picked = Array.from(this.order.subarray(this.pos.index, end), (i) => this.examples[i]);
    this.pos = { epoch: this.pos.epoch, index: end };
    return collate(picked, this.padId);
  }
}
