// Parity with a real tokenizer: chat rows tokenized by Qwen3's tokenizer.json + chat template (assistant-only labels)
// through a tiny Qwen3-shaped model with the full 151,936-token vocabulary — our loss against PyTorch's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateLoss } from '../../../../src-main/engine/train/evaluate';
import { readModelConfig } from '../../../../src-main/models/hf/config';
import { TextTokenizer } from '../../../../src-main/models/tokenizer';
import { writeTinyChatModel } from '../../../fixtures/tiny-chat-model';
import { hasTorch, runReference } from '../../../reference/reference';

const work = mkdtempSync(join(tmpdir(), 'ftstudio-tok-parity-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!hasTorch)('loss on tokenized chat data vs PyTorch', () => {
  it('agrees within 1e-5 relative, with the prompt masked', async () => {
    const modelDir = writeTinyChatModel(join(work, 'model'));
    const spec = readModelConfig(modelDir);
    const tok = TextTokenizer.fromFolder(modelDir);
    const rows = [
      [{ role: 'user', content: 'What is the capital of France?' }, { role: 'assistant', content: 'Paris.' }],
      [{ role: 'system', content: 'Answer briefly.' }, { role: 'user', content: 'Name a prime number below 10.' }, { role: 'assistant', content: 'Seven.' }],
    ] as const;
    const examples = rows.map((m) => tok.encodeChat(m.map((x) => ({ ...x }))));
    expect(examples.every((e) => e.labels.some((l) => l === -100) && e.labels.some((l) => l !== -100))).toBe(true);
    const ours = await evaluateLoss({ modelDir, spec, workDir: join(work, 'graph'), adapter: null, examples, batchSize: 2, padId: 0, threads: 2 });
    // The reference gets the same right-padded batch.
    const S = Math.max(...examples.map((e) => e.inputIds.length));
    const pad = (a: number[], v: number) => [...a, ...Array(S - a.length).fill(v)];
    const ref = runReference([{
      id: 'chat', model_dir: modelDir, input_ids: examples.map((e) => pad(e.inputIds, 0)), labels: examples.map((e) => pad(e.labels, -100)),
      lora: null, dtypes: ['float64'],
    }], work).chat.float64!;
    const rel = Math.abs(ours.loss - ref.loss) / ref.loss;
    console.log(`tokenized chat parity: ours ${ours.loss}, torch ${ref.loss}, rel ${rel.toExponential(2)}, ${ours.tokens} counted tokens`);
    expect(ours.tokens).toBe(ref.token_count);
    expect(rel).toBeLessThan(1e-5);
  }, 120_000);
});
