// decontaminate: training records sharing a word 13-gram with the eval set are removed, naming the eval record.
import { describe, expect, it } from 'vitest';
import { decontaminateOperator } from '../../../../src-main/data/ops/decontaminate';
import type { DataRecord, Decision, OperatorContext } from '../../../../src-main/data/ops/operator';

const rec = (idx: number, prompt: string, answer = 'ok'): DataRecord => ({
  idx, messages: [{ role: 'user', content: prompt }, { role: 'assistant', content: answer }],
});

const EVAL = [
  rec(0, 'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did she sell?', '72'),
  rec(1, '一个长方形的长是八厘米，宽是五厘米，它的面积是多少平方厘米？请写出计算过程。', '40'),
];

const opened: string[] = [];
const ctx: OperatorContext = {
  openDataset: async (ref) => {
    opened.push(ref);
    return (async function* () { yield* EVAL; })();
  },
};

async function run(records: DataRecord[], params: object = { evalDataset: 'gsm8k-test' }): Promise<Decision[]> {
  const decide = await decontaminateOperator.create(decontaminateOperator.params.parse(params), ctx);
  return records.map(decide);
}

describe('decontaminate', () => {
  it('declares its needs and defaults', () => {
    expect(decontaminateOperator.needs).toEqual(['openDataset']);
    expect(decontaminateOperator.params.parse({})).toEqual({ evalDataset: '', n: 13, field: 'prompt_answer' });
  });

  it('removes a record quoting 13 words of an eval item (case and punctuation aside), naming the eval record', async () => {
    const out = await run([
      rec(0, 'Solve: NATALIA sold clips to 48 of her friends in April; and then she sold half as many. Explain.'),
      rec(1, 'Natalia sold clips to 48 of her friends in April, and then some more.'), // 12-word overlap only
      rec(2, 'Write a poem about clips.'),
    ]);
    expect(opened.at(-1)).toBe('gsm8k-test');
    expect(out.map((d) => d.action)).toEqual(['remove', 'keep', 'keep']);
    expect(out[0]).toMatchObject({ action: 'remove', reason: expect.stringContaining('eval record #0 of gsm8k-test') });
    expect((out[0] as { reason: string }).reason).toContain('"natalia sold clips to 48 of her friends …"');
  });

  it('compares CJK text by characters', async () => {
    const out = await run([rec(0, '题目：一个长方形的长是八厘米，宽是五厘米，求面积。'), rec(1, '一个正方形的边长是八厘米，它的面积是多少？')]);
    expect(out.map((d) => d.action)).toEqual(['remove', 'keep']);
    expect(out[0]).toMatchObject({ reason: expect.stringContaining('eval record #1') });
  });

  it('looks only at the chosen field', async () => {
    const leaked = rec(0, 'Answer this.', 'natalia sold clips to 48 of her friends in april and then she sold half as many clips');
    expect((await run([leaked]))[0].action).toBe('remove');
    expect((await run([leaked], { evalDataset: 'gsm8k-test', field: 'prompt' }))[0].action).toBe('keep');
  });

  it('says what is missing when no eval dataset is chosen or none can be opened', async () => {
    await expect(run([], {})).rejects.toThrow('decontaminate: choose the eval dataset to compare against');
    await expect(decontaminateOperator.create(decontaminateOperator.params.parse({ evalDataset: 'x' }), {})).rejects.toThrow(/openDataset/);
  });
});
