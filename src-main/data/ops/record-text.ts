// The text views of a record the operators share: the prompt (system + user/tool turns), the answer (assistant
// turns) and all of it, joined with newlines so word and n-gram counts never run across two turns.
import type { Conversation, Message } from '../formats/conversation';

export function promptText(record: Conversation): string {
  const parts = record.system ? [record.system] : [];
  for (const m of record.messages) if (m.role !== 'assistant') parts.push(m.content);
  return parts.join('\n');
}

export function answerText(record: Conversation): string {
  return record.messages.filter((m) => m.role === 'assistant').map((m) => m.content).join('\n');
}

export function allText(record: Conversation): string {
  return [...(record.system ? [record.system] : []), ...record.messages.map((m) => m.content)].join('\n');
}

/**
 * Applies FN to every text field (system and each message content); returns null when nothing changed, so an
 * operator can answer `keep` without comparing records itself.
 */
export function mapTexts(record: Conversation, fn: (text: string) => string): Conversation | null {
  let changed = false;
  const map = (text: string): string => {
    const out = fn(text);
    if (out !== text) changed = true;
    return out;
  };
  const messages: Message[] = record.messages.map((m) => ({ role: m.role, content: map(m.content) }));
  const system = record.system === undefined ? undefined : map(record.system);
  if (!changed) return null;
  return { messages, ...(system !== undefined ? { system } : {}), ...(record.tools ? { tools: record.tools } : {}) };
}
