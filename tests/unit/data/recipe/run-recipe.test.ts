// The recipe runner: steps in order, a changed record flows on changed, a removed one stops, every change reported
// with the record as that step saw it; previews stop at a limit; a cancel stops the run.
import { describe, expect, it } from 'vitest';
import { resolveRecipe } from '../../../../src-main/data/recipe/recipe-file';
import { runRecipe, type RecipeChange } from '../../../../src-main/data/recipe/run-recipe';
import type { DataRecord } from '../../../../src-main/data/ops/operator';

async function* records(list: DataRecord[]): AsyncGenerator<DataRecord> {
  yield* list;
}

const rec = (idx: number, user: string, answer = 'Fine answer here.'): DataRecord => ({ idx, messages: [{ role: 'user', content: user }, { role: 'assistant', content: answer }] });

describe('runRecipe', () => {
  it('passes changed records on and stops removed ones, reporting each change with its before', async () => {
    const steps = resolveRecipe({ steps: [{ op: 'pii_redact', params: {} }, { op: 'exact_dedup', params: {} }] });
    const changes: RecipeChange[] = [];
    const summary = await runRecipe(records([rec(0, 'Mail a@b.io'), rec(1, 'Mail c@d.io'), rec(2, 'Other')]), steps, {}, { onChange: (c) => { changes.push(c); } });
    // After redaction both prompts read "Mail [EMAIL]": the second is a duplicate of the first *redacted* record.
    expect(summary).toEqual({ examined: 3, kept: 2, steps: [{ step: 1, op: 'pii_redact', removed: 0, changed: 2 }, { step: 2, op: 'exact_dedup', removed: 1, changed: 0 }] });
    expect(changes.map((c) => [c.idx, c.step, c.action])).toEqual([[0, 1, 'changed'], [1, 1, 'changed'], [1, 2, 'removed']]);
    expect(changes[2].before.messages[0].content).toBe('Mail [EMAIL]');
    expect(changes[2].duplicateOf).toBe(0);
    expect(changes[1].before.messages[0].content).toBe('Mail c@d.io');
  });

  it('stops at a preview limit and on cancel', async () => {
    const steps = resolveRecipe({ steps: [{ op: 'exact_dedup', params: {} }] });
    const many = Array.from({ length: 50 }, (_, i) => rec(i, `q${i % 5}`));
    const preview = await runRecipe(records(many), steps, {}, { onChange: () => undefined, limit: 10 });
    expect(preview).toMatchObject({ examined: 10, kept: 5 });
    const controller = new AbortController();
    controller.abort();
    await expect(runRecipe(records(many), steps, {}, { onChange: () => undefined, signal: controller.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });
});
