// The histogram: bin labels from edges, equal-width bars ∝ counts, leading empty bins dropped, axis labels that do not overlap, the SVG's title.
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import BaseHistogram from '../../../src-renderer/src/components/base/BaseHistogram.vue';
import { axisLabels, binLabel, compactNumber, histogramBars, trimLeadingEmpty } from '../../../src-renderer/src/components/base/histogram-bars';

describe('histogram-bars', () => {
  it('names bins from their edges: ranges, single whole numbers, an open last bin; numbers compact', () => {
    const edges = [0, 1, 2, 5, 10, 1000, 20_000];
    expect([0, 1, 2, 3, 4, 5].map((i) => binLabel(edges, i))).toEqual(['0', '1', '2–5', '5–10', '10–1k', '1k–20k']);
    expect(binLabel([0, 10], 1)).toBe('≥ 10');
    expect([999, 1500, 20_000, 2_500_000, 3e9, 2.25].map(compactNumber)).toEqual(['999', '1.5k', '20k', '2.5M', '3G', '2.3']);
  });

  it('makes equal-width bars whose heights are proportional to the counts, the tallest filling the box', () => {
    const bars = histogramBars([0, 10, 20, 50, 100], [2, 8, 4, 0], 400, 100, 0);
    expect(bars.map((b) => b.count)).toEqual([2, 8, 4, 0]);
    expect(bars.map((b) => b.height)).toEqual([25, 100, 50, 0]);
    expect(bars.map((b) => b.y)).toEqual([75, 0, 50, 100]);
    expect(bars.map((b) => b.x)).toEqual([0, 100, 200, 300]);
    expect(new Set(bars.map((b) => b.width))).toEqual(new Set([100]));
    expect(bars.map((b) => b.label)).toEqual(['0–10', '10–20', '20–50', '50–100']);
    expect(histogramBars([0, 1], [0], 100, 50)[0].height).toBe(0); // all empty: no division by zero
    expect(histogramBars([0], [], 100, 50)).toEqual([]);
  });

  it('drops the empty bins before the first value', () => {
    expect(trimLeadingEmpty([0, 1, 2, 5, 10], [0, 0, 3, 1])).toEqual({ edges: [2, 5, 10], counts: [3, 1] });
    expect(trimLeadingEmpty([0, 1], [0])).toEqual({ edges: [0, 1], counts: [0] });
  });

  it('labels unit bins at their centre, wider bins at their edges, and leaves out labels that would overlap', () => {
    expect(axisLabels([1, 2, 3], 2, 200)).toEqual([{ x: 50, text: '1' }, { x: 150, text: '2' }]);
    expect(axisLabels([10, 20, 50, 100], 3, 300)).toEqual([{ x: 0, text: '10' }, { x: 100, text: '20' }, { x: 200, text: '50' }, { x: 300, text: '100' }]);
    const crowded = axisLabels([0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000], 13, 100);
    expect(crowded.length).toBeLessThan(8);
    for (let i = 1; i < crowded.length; i++) expect(crowded[i].x - crowded[i - 1].x).toBeGreaterThan(10);
  });
});

describe('BaseHistogram', () => {
  it('draws one bar per non-leading-empty bin with its count and label, axis labels from edges, and an accessible title', () => {
    const wrapper = mount(BaseHistogram, {
      props: { edges: [0, 1, 2, 5, 10, 20, 50], counts: [0, 0, 1, 3, 5, 1], title: 'Prompt length', unit: 'characters', median: 12 },
    });
    const bars = wrapper.findAll('[data-testid="histogram-bar"]');
    expect(bars.map((b) => b.attributes('data-count'))).toEqual(['1', '3', '5', '1']);
    expect(bars.map((b) => b.attributes('data-label'))).toEqual(['2–5', '5–10', '10–20', '20–50']);
    const heights = bars.map((b) => Number(b.attributes('height')));
    expect(heights[2]).toBeCloseTo(100); // the tallest bar fills the plot
    expect(heights[1] / heights[2]).toBeCloseTo(3 / 5);
    expect(bars[0].find('title').text()).toBe('2–5 characters: 1 records');
    expect(wrapper.findAll('[data-testid="histogram-label"]').map((l) => l.text())).toEqual(['2', '5', '10', '20', '50']);
    const svg = wrapper.get('svg');
    expect(svg.attributes('role')).toBe('img');
    const [titleId, descId] = svg.attributes('aria-labelledby')!.split(' ');
    expect(wrapper.get(`[id="${titleId}"]`).text()).toBe('Prompt length');
    expect(wrapper.get(`[id="${descId}"]`).text()).toContain('10 records by characters. Median 12 characters. 2–5 characters: 1;');
    expect(wrapper.find('.median').exists()).toBe(true);
  });
});
