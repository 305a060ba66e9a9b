// An open-addressing hash table from 96-bit keys (three int32 lanes) to record indices, in typed arrays: exact dedup
// over millions of records without a JavaScript object or heap number per record.

const EMPTY = -1;

export class KeyTable {
  private lanes: Int32Array; // 3 per slot
  private values: Int32Array; // EMPTY or the record idx stored under the slot's key
  private mask: number;
  size = 0;

  constructor(capacity = 1 << 16) {
    const slots = 1 << Math.ceil(Math.log2(Math.max(16, capacity)));
    this.lanes = new Int32Array(slots * 3);
    this.values = new Int32Array(slots).fill(EMPTY);
    this.mask = slots - 1;
  }

  /** The value stored under (A, B, C); if none, stores VALUE and returns undefined. */
  getOrInsert(a: number, b: number, c: number, value: number): number | undefined {
    // Linear probing from lane A (already well mixed); the table stays at most half full, so probes stay short.
    for (let slot = a & this.mask; ; slot = (slot + 1) & this.mask) {
      const v = this.values[slot];
      if (v === EMPTY) break;
      const at = slot * 3;
      if (this.lanes[at] === a && this.lanes[at + 1] === b && this.lanes[at + 2] === c) return v;
    }
    if ((this.size + 1) * 2 > this.values.length) this.grow();
    this.place(a, b, c, value);
    this.size++;
    return undefined;
  }

  private place(a: number, b: number, c: number, value: number): void {
    let slot = a & this.mask;
    while (this.values[slot] !== EMPTY) slot = (slot + 1) & this.mask;
    this.values[slot] = value;
    this.lanes[slot * 3] = a;
    this.lanes[slot * 3 + 1] = b;
    this.lanes[slot * 3 + 2] = c;
  }

  private grow(): void {
    const [lanes, values] = [this.lanes, this.values];
    this.lanes = new Int32Array(lanes.length * 2);
    this.values = new Int32Array(values.length * 2).fill(EMPTY);
    this.mask = this.values.length - 1;
    for (let slot = 0; slot < values.length; slot++) {
      if (values[slot] !== EMPTY) this.place(lanes[slot * 3], lanes[slot * 3 + 1], lanes[slot * 3 + 2], values[slot]);
    }
  }
}
