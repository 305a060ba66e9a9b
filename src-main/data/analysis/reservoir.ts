// A seeded reservoir sample: a uniform sample of at most N items from a stream of unknown length, in one pass.
import { mulberry32 } from '../../common/precision/sample';

export class Reservoir<T> {
  readonly items: T[] = [];
  /** Items offered so far. */
  seen = 0;
  private readonly random: () => number;

  constructor(readonly capacity: number, seed: number) {
    this.random = mulberry32(seed);
  }

  /**
   * Algorithm R: item i (0-based) replaces a random slot with probability capacity / (i + 1). MAKE builds the stored
   * value only when it is kept, so the costly part (copying text) is skipped for most records of a large stream.
   */
  offer(make: () => T): void {
    const i = this.seen++;
    if (i < this.capacity) {
      this.items.push(make());
      return;
    }
    const j = Math.floor(this.random() * (i + 1));
    if (j < this.capacity) this.items[j] = make();
  }
}
