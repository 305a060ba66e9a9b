// The record table's windowing math (which rows a scroll position draws, a capped spacer at 1M rows) and its page cache.
import { describe, expect, it } from 'vitest';
import { RecordPageCache } from '../../../src-renderer/src/components/data/record-pages';
import { computeWindow, pagesFor } from '../../../src-renderer/src/components/data/virtual-window';
import { record } from '../helpers/data-fixtures';

describe('computeWindow', () => {
  const base = { rowHeight: 30, viewportHeight: 300, overscan: 2 };

  it('draws the visible rows plus overscan, and places them at their own offset', () => {
    const w = computeWindow({ ...base, total: 1000, scrollTop: 3000 }); // row 100 at the top
    expect(w).toEqual({ first: 98, last: 112, spacerHeight: 30_000, offsetTop: 98 * 30 });
  });

  it('clamps at both ends and with fewer rows than fit', () => {
    expect(computeWindow({ ...base, total: 1000, scrollTop: -50 })).toMatchObject({ first: 0, last: 12, offsetTop: 0 });
    const end = computeWindow({ ...base, total: 1000, scrollTop: 10_000_000 });
    expect(end.last).toBe(1000);
    expect(end.first).toBe(1000 - 10 - 2);
    expect(computeWindow({ ...base, total: 3, scrollTop: 0 })).toMatchObject({ first: 0, last: 3, spacerHeight: 90 });
    expect(computeWindow({ ...base, total: 0, scrollTop: 0 })).toMatchObject({ first: 0, last: 0, spacerHeight: 0 });
  });

  it('caps the spacer at 1M rows and still reaches the first and the last row', () => {
    const cap = 8_000_000;
    const total = 1_000_000;
    const top = computeWindow({ ...base, total, scrollTop: 0, maxSpacerPx: cap });
    expect(top.spacerHeight).toBe(cap);
    expect(top.first).toBe(0);
    const bottom = computeWindow({ ...base, total, scrollTop: cap - 300, maxSpacerPx: cap });
    expect(bottom.last).toBe(total);
    // The last row's bottom edge sits at the viewport's bottom edge.
    expect(bottom.offsetTop + (total - bottom.first) * 30).toBeCloseTo(cap, 6);
    const middle = computeWindow({ ...base, total, scrollTop: (cap - 300) / 2, maxSpacerPx: cap });
    expect(Math.abs(middle.first + 2 - (total - 10) / 2)).toBeLessThanOrEqual(1);
    expect(middle.last - middle.first).toBeLessThanOrEqual(10 + 1 + 4); // a screenful, never the million
  });

  it('lists the pages a window needs', () => {
    expect(pagesFor(0, 10, 200)).toEqual([0]);
    expect(pagesFor(190, 410, 200)).toEqual([0, 1, 2]);
    expect(pagesFor(5, 5, 200)).toEqual([]);
  });
});

describe('RecordPageCache', () => {
  function fake(total = 1_000_000) {
    const asked: number[] = [];
    const fetch = async (offset: number, limit: number) => {
      asked.push(offset);
      const rows = [];
      for (let i = offset; i < Math.min(total, offset + limit); i++) rows.push(record(i));
      return { total, rows };
    };
    return { asked, fetch };
  }

  it('fetches only the pages a window needs, once, and serves rows from them', async () => {
    const { asked, fetch } = fake();
    const cache = new RecordPageCache(fetch, 100, 4);
    await cache.ensure(150, 260);
    expect(asked).toEqual([100, 200]);
    expect(cache.total).toBe(1_000_000);
    expect(cache.get(150)?.idx).toBe(150);
    expect(cache.get(99)).toBeUndefined();
    await cache.ensure(150, 260);
    expect(asked).toEqual([100, 200]);
  });

  it('keeps a bounded number of pages, dropping the least recently used', async () => {
    const { fetch } = fake();
    const cache = new RecordPageCache(fetch, 100, 3);
    for (const p of [0, 1, 2]) await cache.ensure(p * 100, p * 100 + 1);
    await cache.ensure(0, 1); // page 0 used again
    await cache.ensure(900_000, 900_001);
    expect(cache.cachedPages.sort((a, b) => a - b)).toEqual([0, 2, 9000]);
  });

  it('drops a reply that arrives after a reset (another version or search)', async () => {
    let release!: () => void;
    const slow = () => new Promise<{ total: number; rows: ReturnType<typeof record>[] }>((resolve) => {
      release = () => resolve({ total: 5, rows: [record(0)] });
    });
    const cache = new RecordPageCache(slow, 100, 4);
    const pending = cache.ensure(0, 1);
    cache.reset(fake(7).fetch);
    release();
    await pending;
    expect(cache.total).toBeNull();
    await cache.ensure(0, 1);
    expect(cache.total).toBe(7);
  });

  it('keeps the error of a failed page for the table to show', async () => {
    const cache = new RecordPageCache(() => Promise.reject(new Error('version v9 not found')), 100, 4);
    await cache.ensure(0, 1);
    expect(cache.error).toBe('version v9 not found');
  });
});
