// The alternatives advisor on hand-computed cases: P-tuning's parameters, a request's FLOPs, break-even, and the table.
import { describe, expect, it } from 'vitest';
import { breakEvenRequests, embeddingFlops, estimateAlternatives, type AlternativesRequest } from '../../../src-main/estimate/alternatives';
import { inferenceMemory, requestFlops } from '../../../src-main/estimate/inference';
import { ptuningParamCount } from '../../../src-main/estimate/shapes';
import { TINY, input } from './fixtures';

// TINY: N (matmul weights) = 1232, L 2, nh 2, hd 4. A forward over S tokens in the pytorch-peft profile (fused attention:
// half of the S²) = 2·N·S + ½·L·2·2·nh·S²·hd = 2464·S + 32·S².
const fwd = (S: number) => 2464 * S + 32 * S * S;

function request(over: Partial<AlternativesRequest> = {}): AlternativesRequest {
  return {
    ...input(), device: 'cpu', cpu: { memoryBytes: 64e9, matmulGflops: 1e-6, powerW: 100 }, utilisation: 1,
    datasetTokens: 1000, epochs: 1, pricePerKwh: 0.5, pricePerHour: null,
    promptTokens: 6, answerTokens: 4, instructionTokens: 2, shots: 2, corpusTokens: null, retrievedTokens: 8, embeddingParams: null,
    ptuning: { virtualTokens: 3, encoder: 'mlp', encoderHidden: 4 }, ...over,
  };
}

describe('alternatives: pieces', () => {
  it('counts P-tuning parameters as PEFT\'s PromptEncoder builds them', () => {
    // Embedding 3·8 = 24. MLP h 4: (8·4+4) + (4·4+4) + (4·8+8) = 36 + 20 + 40 = 96.
    expect(ptuningParamCount(TINY, { virtualTokens: 3, encoder: 'mlp', encoderHidden: 4 })).toBe(120);
    // LSTM h 4: layer 1 2·4·(8·4 + 16 + 8) = 448, layer 2 (input 2h = 8) 448, head (8·8+8) + (8·8+8) = 144.
    expect(ptuningParamCount(TINY, { virtualTokens: 3, encoder: 'lstm', encoderHidden: 4 })).toBe(24 + 448 + 448 + 144);
    expect(ptuningParamCount(TINY, { virtualTokens: 3, encoder: 'none', encoderHidden: 4 })).toBe(24);
  });

  it('prices a request by its forward over prompt + answer', () => {
    expect(requestFlops(input(), 10)).toBe(27840);
    expect(requestFlops(input(), 10)).toBe(fwd(10));
    expect(requestFlops(input(), 0)).toBe(0);
  });

  it('breaks even when the per-request saving has paid the one-time cost', () => {
    expect(breakEvenRequests({ oneTime: 1000, perRequest: 10 }, { oneTime: 0, perRequest: 15 })).toBe(200);
    expect(breakEvenRequests({ oneTime: 1001, perRequest: 10 }, { oneTime: 0, perRequest: 15 })).toBe(201);
    expect(breakEvenRequests({ oneTime: 1000, perRequest: 15 }, { oneTime: 0, perRequest: 15 })).toBeNull();
    expect(breakEvenRequests({ oneTime: 10, perRequest: 1 }, { oneTime: 50, perRequest: 2 })).toBe(0);
  });

  it('embeds a corpus with an embedding model (2·N per token) or the model\'s own forward over chunks', () => {
    expect(embeddingFlops(input(), 1000, 100, 512)).toBe(200_000);
    expect(embeddingFlops(input(), 1000, null, 4)).toBe(fwd(4) * 250);
  });

  it('serves from weights, a KV cache, one layer\'s tensors and the runtime', () => {
    // bf16 pytorch: 1352 parameters × 2 B; KV 2·L·nkv·hd·S·β = 2·2·1·4·10·2 = 320.
    const m = inferenceMemory(input(), 10);
    expect([m.weights, m.kvCache]).toEqual([2704, 320]);
    expect(m.totalBytes).toBeCloseTo(m.weights + m.kvCache + m.working + m.slack + m.runtime, 6);
    expect(m.runtime).toBe(0.5e9);
  });
});

describe('estimateAlternatives', () => {
  const byKind = (r: ReturnType<typeof estimateAlternatives>) => Object.fromEntries(r.alternatives.map((a) => [a.kind, a]));

  it('compares prompting, few-shot, P-tuning, LoRA and full fine-tuning (no corpus: no RAG)', () => {
    const r = estimateAlternatives(request());
    expect(r.alternatives.map((a) => a.kind)).toEqual(['prompt', 'few-shot', 'ptuning', 'lora', 'full']);
    expect(r.baseRequestTokens).toBe(10);
    const a = byKind(r);
    // Prompt: 2 instruction tokens → fwd(12) − fwd(10) = 34176 − 27840. Few-shot: 2 + 2 examples × 10 = 22 → fwd(32) − fwd(10).
    expect([a.prompt.perRequest.extraTokens, a.prompt.perRequest.extraFlops]).toEqual([2, 6336]);
    expect([a['few-shot'].perRequest.extraTokens, a['few-shot'].perRequest.extraFlops]).toEqual([22, 83776]);
    // At 1000 FLOP/s: 83.776 s of extra compute per few-shot request; 100 W → 83.776/3600·0.1 kWh at 0.5 per kWh.
    expect(a['few-shot'].perRequest.extraSeconds).toBeCloseTo(83.776, 6);
    expect(a['few-shot'].perRequest.extraCost!.electricityCost).toBeCloseTo((83.776 / 3600) * 0.1 * 0.5, 9);
    expect(a.prompt.oneTime.flops).toBe(0);
    expect(a.prompt.memory.phase).toBe('inference');

    // LoRA: 5984 FLOPs per token (time.test.ts) × 1000 tokens; no per-request overhead once merged.
    expect(a.lora.oneTime.flops).toBe(5_984_000);
    expect(a.lora.oneTime.seconds).toBeCloseTo(5984, 6);
    expect(a.lora.perRequest.extraFlops).toBe(0);
    expect(a.lora.trainableParams).toBe(2 * (2 * 16 + 2 * 12)); // r·(in+out) for q (8→8) and v (8→4), 2 layers
    expect(a.lora.repaidAfter).toEqual([{ versus: 'prompt', requests: 945 }, { versus: 'few-shot', requests: 72 }]); // ⌈5984000/6336⌉, ⌈5984000/83776⌉
    // Full: forward 10368 + backward 20736 over 4 tokens = 7776 per token.
    expect(a.full.oneTime.flops).toBe(7_776_000);
    expect(a.full.repaidAfter.find((x) => x.versus === 'few-shot')!.requests).toBe(93);
    expect(a.full.memory.phase).toBe('training');
  });

  it('P-tuning: trainable virtual tokens + encoder, sequences longer by nv, the virtual tokens in every request', () => {
    const a = byKind(estimateAlternatives(request()));
    expect(a.ptuning.trainableParams).toBe(120);
    // S = 4 + 3: forward 2464·7 + ½·2·2·2·2·49·4 = 17248 + 1568; backward 17248 + 2·1568 (no weight gradients): 5600 per
    // token, over 1000·(1 + 3/10) = 1300 tokens.
    expect(a.ptuning.oneTime.flops).toBeCloseTo(7_280_000, 3);
    expect(a.ptuning.perRequest.extraFlops).toBe(fwd(13) - fwd(10));
    expect(a.ptuning.repaidAfter).toEqual([{ versus: 'prompt', requests: null }, { versus: 'few-shot', requests: 99 }]); // 9600 > 6336: never
    // Its training memory is LoRA's model without the adapted projections' inputs: less than LoRA's at the same length.
    const sameLength = byKind(estimateAlternatives(request({ ptuning: { virtualTokens: 0, encoder: 'mlp', encoderHidden: 4 } })));
    expect(sameLength.ptuning.memory.totalBytes).toBeLessThan(sameLength.lora.memory.totalBytes);
  });

  it('RAG when there is a corpus: embedding it once, retrieved context and the query\'s embedding per request', () => {
    const a = byKind(estimateAlternatives(request({ corpusTokens: 1000, chunkTokens: 4 })));
    expect(a.rag.oneTime.flops).toBe(fwd(4) * 250);
    // 10 + 2 + 8 tokens → fwd(20); the 6-token query embedded in chunks of 4: fwd(4)·6/4.
    expect(a.rag.perRequest.flops).toBe(fwd(20) + fwd(4) * 1.5);
    expect(a.rag.perRequest.extraFlops).toBe(fwd(20) + fwd(4) * 1.5 - fwd(10));
    expect(a.lora.repaidAfter.find((x) => x.versus === 'rag')!.requests).toBe(Math.ceil((5_984_000 - 2_592_000) / 49_792));
    // An embedding model of 1000 parameters: 2·1000 per token, and its weights beside the model.
    const e = byKind(estimateAlternatives(request({ corpusTokens: 1000, embeddingParams: 1000 })));
    expect(e.rag.oneTime.flops).toBe(2_000_000);
    expect(e.rag.memory.totalBytes - a.rag.memory.totalBytes).toBeGreaterThanOrEqual(2000);
  });

  it('has no one-time cost or break-even without a token count, and no time without a speed', () => {
    const a = byKind(estimateAlternatives(request({ datasetTokens: null })));
    expect(a.lora.oneTime.flops).toBeNull();
    expect(a.lora.repaidAfter).toEqual([]);
    const b = byKind(estimateAlternatives(request({ cpu: { memoryBytes: 64e9, matmulGflops: null, powerW: null } })));
    expect(b['few-shot'].perRequest.extraSeconds).toBeNull();
    expect(b.lora.oneTime.seconds).toBeNull();
  });
});
