// The GPU catalog (sources in the file, consistent capabilities) and the catalog model shapes (parameter counts).
import { describe, expect, it } from 'vitest';
import { CLOUD_PRICES, findGpu, GPU_CATALOG, peakFlops, supports } from '../../../src-main/estimate/catalog';
import { CATALOG_MODEL_NAMES, catalogModel } from '../../../src-main/estimate/model-catalog';
import { paramCounts } from '../../../src-main/estimate/shapes';

describe('GPU catalog', () => {
  it('has ≥ 12 GPUs, each with a source URL, and bf16/fp8 figures only where the compute capability allows them', () => {
    expect(GPU_CATALOG.length).toBeGreaterThanOrEqual(12);
    for (const g of GPU_CATALOG) {
      expect(g.sources[0], g.id).toMatch(/^https:\/\//);
      expect(g.tflops.bf16 != null, `${g.id} bf16`).toBe(supports(g, 'bf16'));
      if (g.tflops.fp8 != null) expect(supports(g, 'fp8'), `${g.id} fp8`).toBe(true);
    }
    for (const id of ['t4', 'v100-sxm2', 'a10', 'a100-40gb-sxm', 'a100-80gb-sxm', 'l4', 'l40s', 'h100-sxm', 'h100-pcie', 'h200-sxm', 'rtx-3090', 'rtx-4090']) expect(findGpu(id), id).not.toBeNull();
  });

  it('finds GPUs by id or by name, and gives the dense peak of a precision', () => {
    expect(findGpu('H100 SXM')!.id).toBe('h100-sxm');
    expect(findGpu('RTX 4090')!.id).toBe('rtx-4090');
    expect(findGpu('a100-80gb-pcie')!.tdpW).toBe(300);
    expect(peakFlops(findGpu('a100-80gb-sxm')!, 'bf16')).toBe(312e12);
    expect(peakFlops(findGpu('t4')!, 'bf16')).toBeNull();
    expect(supports(findGpu('l4')!, 'fp8')).toBe(true);
    expect(supports(findGpu('a100-80gb-sxm')!, 'fp8')).toBe(false);
  });

  it('marks the shipped cloud prices as dated examples', () => {
    expect(CLOUD_PRICES.example).toBe(true);
    expect(CLOUD_PRICES.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(CLOUD_PRICES.about).toMatch(/EXAMPLE/);
  });
});

describe('catalog models', () => {
  it('parse, and have the parameter counts their model cards state', () => {
    for (const name of CATALOG_MODEL_NAMES) expect(catalogModel(name), name).not.toBeNull();
    const billions = (name: string) => paramCounts(catalogModel(name)!).total / 1e9;
    expect(billions('Llama-2-7B')).toBeCloseTo(6.738, 3); // 6,738,415,616
    expect(billions('Llama-3-8B')).toBeCloseTo(8.030, 3); // 8,030,261,248
    expect(billions('Mistral-7B')).toBeCloseTo(7.242, 3); // 7,241,732,096
    expect(billions('Qwen2.5-7B')).toBeCloseTo(7.616, 2); // 7.61 B on the model card
    expect(billions('Qwen3-0.6B')).toBeCloseTo(0.596, 2); // 0.6 B (0.44 B non-embedding)
    expect(billions('Qwen-7B')).toBeCloseTo(7.721, 2); // ms-swift's benchmark: 7721.3245 M
    expect(catalogModel('llama-2-7b')).not.toBeNull();
    expect(catalogModel('gpt-5')).toBeNull();
  });
});
