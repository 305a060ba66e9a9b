// remove_empty_turns: drops whitespace-only turns; a record left without a user or an assistant turn goes.
import { z } from 'zod';
import type { Conversation } from '../formats/conversation';
import { defineOperator, KEEP, type Decision } from './operator';

const params = z.object({
  /** A whitespace-only system prompt is dropped too (it renders as an empty system turn). */
  dropEmptySystem: z.boolean().default(true),
}).strict();

// \s covers Unicode spaces; zero-width characters and the BOM render as nothing too, so they count as empty.
const EMPTY = /^[\s\u200B-\u200D\u2060\uFEFF]*$/;

export const removeEmptyTurnsOperator = defineOperator({
  name: 'remove_empty_turns',
  title: 'Remove empty turns',
  description:
    'Drops turns that hold only whitespace (they teach the model to answer with nothing). A conversation left ' +
    'without a user turn or without an assistant turn has nothing to learn from and is removed.',
  group: 'filter',
  params,
  create(p) {
    return (record): Decision => {
      const messages = record.messages.filter((m) => !EMPTY.test(m.content));
      const dropped = record.messages.length - messages.length;
      const dropSystem = p.dropEmptySystem && record.system !== undefined && EMPTY.test(record.system);
      if (dropped === 0 && !dropSystem) return KEEP;
      const what = [
        dropped > 0 && `${dropped} empty ${dropped === 1 ? 'turn' : 'turns'}`,
        dropSystem && 'the empty system prompt',
      ].filter(Boolean).join(' and ');
      // Only a role this operator emptied out counts: a record that never had one is another filter's business.
      const had = (list: Conversation['messages'], role: string): boolean => list.some((m) => m.role === role);
      const missing = ['user', 'assistant'].filter((role) => had(record.messages, role) && !had(messages, role));
      if (missing.length > 0) {
        return { action: 'remove', reason: `no ${missing.join(' or ')} turn left after dropping ${what}` };
      }
      const out: Conversation = { messages, ...(record.system !== undefined && !dropSystem ? { system: record.system } : {}) };
      if (record.tools) out.tools = record.tools;
      return { action: 'change', reason: `dropped ${what}`, record: out };
    };
  },
});
