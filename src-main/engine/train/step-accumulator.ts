// Gradient accumulation on the host: sums the micro-batches' loss sums, token counts and gradients of one optimizer step.
import type { Feed, HostTensor } from '../runtime';
import type { Batch } from './batches';

export class StepAccumulator {
  lossSum = 0;
  countedTokens = 0;
  inputTokens = 0;
  private readonly grads = new Map<string, Float32Array>();

  /** Gradients are of the summed (not averaged) loss, so adding them is exact accumulation; the update graph divides. */
  add(out: Record<string, HostTensor>, gradNames: readonly string[], batch: Batch): void {
    this.lossSum += (out.loss_sum.data as Float32Array)[0];
    this.countedTokens += (out.token_count.data as Float32Array)[0];
    this.inputTokens += batch.realTokens;
    for (const name of gradNames) {
      const g = out[name].data as Float32Array;
      const acc = this.grads.get(name);
      if (!acc) this.grads.set(name, g); // the first micro-batch's output buffer is ours to keep
      else for (let i = 0; i < acc.length; i++) acc[i] += g[i];
    }
  }

  /** The accumulated gradients (of the summed, still loss-scaled loss), keyed grad.<param>. */
  get rawGrads(): ReadonlyMap<string, Float32Array> {
    return this.grads;
  }

  /** Feeds named grad.<param> for the update graph. */
  gradFeeds(shapes: Map<string, number[]>): Record<string, Feed> {
    const feeds: Record<string, Feed> = {};
    for (const [name, data] of this.grads) feeds[name] = { data, dims: shapes.get(name.slice('grad.'.length)) as number[] };
    return feeds;
  }
}
