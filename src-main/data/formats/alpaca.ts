// Alpaca rows: instruction (+ optional input) → output, with optional system and LLaMA-Factory's `history` of earlier turns.
import { FieldError, jsonType } from './errors';
import { optionalString, optionalTools, requireArray, requireString, type Conversation, type JsonObject, type Message, type RowFormat } from './conversation';

/**
 * How `instruction` and a non-empty `input` become one user turn. LLaMA-Factory's AlpacaDatasetConverter joins them
 * with a single "\n" (`"\n".join(query)`), so a dataset prepared for it trains on the very same tokens here.
 */
export const ALPACA_INPUT_SEPARATOR = '\n';

export function detect(row: JsonObject): boolean {
  return 'instruction' in row;
}

export function toConversation(row: JsonObject): Conversation {
  const instruction = requireString(row.instruction, 'instruction');
  const input = optionalString(row.input, 'input');
  const output = requireString(row.output, 'output');
  const system = optionalString(row.system, 'system');
  const tools = optionalTools(row.tools);
  const messages: Message[] = [];
  if (row.history !== undefined && row.history !== null) {
    requireArray(row.history, 'history').forEach((turn, i) => {
      if (!Array.isArray(turn) || turn.length !== 2) {
        throw new FieldError(`history[${i}]`, `must be a [user, assistant] pair, got ${Array.isArray(turn) ? `an array of ${turn.length}` : jsonType(turn)}`);
      }
      messages.push({ role: 'user', content: requireString(turn[0], `history[${i}][0]`) });
      messages.push({ role: 'assistant', content: requireString(turn[1], `history[${i}][1]`) });
    });
  }
  // Empty parts are left out, as LLaMA-Factory does: an empty instruction with an input yields just the input.
  const user = [instruction, input ?? ''].filter((part) => part !== '').join(ALPACA_INPUT_SEPARATOR);
  messages.push({ role: 'user', content: user }, { role: 'assistant', content: output });
  return { messages, ...(system !== undefined ? { system } : {}), ...(tools ? { tools } : {}) };
}

export const alpacaFormat: RowFormat = {
  name: 'alpaca',
  detect,
  parse: (row) => ({ kind: 'chat', conversation: toConversation(row) }),
};
