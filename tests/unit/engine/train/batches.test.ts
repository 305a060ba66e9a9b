// Batches: seeded epoch orders, right-padded collation with counted tokens, and resuming a stream from its position.
import { describe, expect, it } from 'vitest';
import { BatchStream, collate, epochOrder, IGNORE_INDEX, type Example } from '../../../../src-main/engine/train/batches';

const ex = (n: number, first: number): Example => ({ inputIds: Array.from({ length: n }, (_, i) => first + i), labels: Array.from({ length: n }, (_, i) => first + i) });

describe('epochOrder', () => {
  it('is a permutation, the same for the same seed and epoch, different across epochs and seeds', () => {
    const a = epochOrder(50, 7, 0, true);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(epochOrder(50, 7, 0, true)).toEqual(a);
    expect(epochOrder(50, 7, 1, true)).not.toEqual(a);
    expect(epochOrder(50, 8, 0, true)).not.toEqual(a);
    expect([...epochOrder(5, 7, 3, false)]).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('collate', () => {
  it('right-pads with the pad id, ignores padding in labels, and counts shifted labels', () => {
    const masked: Example = { inputIds: [5, 6, 7], labels: [IGNORE_INDEX, IGNORE_INDEX, 7] };
    const batch = collate([ex(4, 10), masked], 0);
    expect(batch.dims).toEqual([2, 4]);
    expect(Array.from(batch.inputIds, Number)).toEqual([10, 11, 12, 13, 5, 6, 7, 0]);
    expect(Array.from(batch.labels, Number)).toEqual([10, 11, 12, 13, -100, -100, 7, -100]);
    // Row 1: labels 11,12,13 after the shift (3); row 2: only 7 (1).
    expect(batch.countedTokens).toBe(4);
    expect(batch.realTokens).toBe(7);
  });
});

describe('BatchStream', () => {
  it('walks epochs with a smaller last batch and resumes exactly from a saved position', () => {
    const data = Array.from({ length: 5 }, (_, i) => ex(2, i * 10));
    const stream = new BatchStream(data, 2, 1, true, 0);
    expect(stream.batchesPerEpoch).toBe(3);
    const sizes = [stream.next(), stream.next(), stream.next()].map((b) => b.dims[0]);
    expect(sizes).toEqual([2, 2, 1]);
    const saved = stream.position;
    const rest = [stream.next(), stream.next()].map((b) => Array.from(b.inputIds, Number));
    const resumed = new BatchStream(data, 2, 1, true, 0, saved);
    expect([resumed.next(), resumed.next()].map((b) => Array.from(b.inputIds, Number))).toEqual(rest);
    expect(resumed.position.epoch).toBe(1);
    expect(() => new BatchStream([], 2, 1, true, 0)).toThrow(/no examples/);
  });
});
