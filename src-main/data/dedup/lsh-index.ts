// The LSH band index: each band of a signature hashes to a bucket; records sharing any bucket become candidates.
import { combine, fmix32 } from './hash';

export class LshIndex {
  readonly bands: number;
  readonly rows: number;
  // One map per band, so equal values in different bands never meet. A bucket holds one id until a second arrives
  // (most buckets stay singletons, and a number costs far less than an array).
  private readonly buckets: Map<number, number | number[]>[];
  // Marks the ids already returned by the current query without clearing a set per record.
  private seen = new Int32Array(1024).fill(-1);
  private query = 0;

  constructor(bands: number, rows: number) {
    this.bands = bands;
    this.rows = rows;
    this.buckets = Array.from({ length: bands }, () => new Map());
  }

  /**
   * The bucket key of each band of SIG. 31 bits, so V8 keeps the keys as small integers; a collision between two
   * different bands only adds a candidate, which the caller verifies anyway.
   */
  keys(sig: Int32Array): Int32Array {
    const out = new Int32Array(this.bands);
    for (let band = 0; band < this.bands; band++) {
      let h = band;
      for (let j = band * this.rows; j < (band + 1) * this.rows; j++) h = combine(h, sig[j]);
      out[band] = fmix32(h) >> 1;
    }
    return out;
  }

  /** The ids sharing at least one bucket with KEYS, each once, in insertion order of their first bucket. */
  candidates(keys: Int32Array): number[] {
    const q = ++this.query;
    const out: number[] = [];
    const take = (id: number) => {
      if (this.seen[id] !== q) {
        this.seen[id] = q;
        out.push(id);
      }
    };
    for (let band = 0; band < this.bands; band++) {
      const bucket = this.buckets[band].get(keys[band]);
      if (bucket === undefined) continue;
      if (typeof bucket === 'number') take(bucket);
      else for (const id of bucket) take(id);
    }
    return out;
  }

  /** Adds ID (a dense 0-based counter) under KEYS. */
  insert(id: number, keys: Int32Array): void {
    if (id >= this.seen.length) {
      const grown = new Int32Array(Math.max(id + 1, this.seen.length * 2)).fill(-1);
      grown.set(this.seen);
      this.seen = grown;
    }
    for (let band = 0; band < this.bands; band++) {
      const map = this.buckets[band];
      const bucket = map.get(keys[band]);
      if (bucket === undefined) map.set(keys[band], id);
      else if (typeof bucket === 'number') map.set(keys[band], [bucket, id]);
      else bucket.push(id);
    }
  }
}
