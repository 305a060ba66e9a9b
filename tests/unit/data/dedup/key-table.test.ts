// The 96-bit key table: first value wins, keys differing in any lane are distinct, and growth keeps every entry.
import { describe, expect, it } from 'vitest';
import { KeyTable } from '../../../../src-main/data/dedup/key-table';

describe('KeyTable', () => {
  it('returns the first value for a repeated key and undefined for new keys', () => {
    const t = new KeyTable(16);
    expect(t.getOrInsert(1, 2, 3, 10)).toBeUndefined();
    expect(t.getOrInsert(1, 2, 3, 11)).toBe(10);
    expect(t.getOrInsert(1, 2, 4, 12)).toBeUndefined(); // same first lane, same probe start
    expect(t.getOrInsert(1, 5, 3, 13)).toBeUndefined();
    expect(t.getOrInsert(1, 2, 4, 14)).toBe(12);
    expect(t.size).toBe(3);
  });

  it('keeps all entries across growth', () => {
    const t = new KeyTable(16);
    for (let i = 0; i < 20_000; i++) t.getOrInsert(i * 7919, ~i, i, i);
    expect(t.size).toBe(20_000);
    for (let i = 0; i < 20_000; i += 97) expect(t.getOrInsert(i * 7919, ~i, i, -5)).toBe(i);
  });
});
