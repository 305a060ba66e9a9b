// One parsed row → input ids and labels: chat through the chat template (prompt masked, rendered in the template
// sandbox), text with EOS, tokens as given.
import type { ParsedRow } from '../formats';
import type { ChatMessage, TextTokenizer, TokenizedExample } from '../../models/tokenizer';

/** The row kinds that need a tokenizer (and, for chat, its chat template). */
export function needsTokenizer(parsed: ParsedRow): boolean {
  return parsed.kind !== 'tokens';
}

/**
 * Encodes one row. Throws a plain Error (the caller adds file and line) when the row cannot be encoded.
 * Rows with tool definitions are refused: TextTokenizer renders the template without its `tools` variable, and
 * training on calls whose definitions the model never sees would teach it to call tools blind.
 */
export async function encodeRow(parsed: ParsedRow, tokenizer: TextTokenizer | null, trainOnPrompt: boolean): Promise<TokenizedExample> {
  if (parsed.kind === 'tokens') return { inputIds: parsed.inputIds, labels: parsed.labels };
  if (!tokenizer) throw new Error('this row needs a tokenizer, and none was given');
  if (parsed.kind === 'text') return tokenizer.encodeText(parsed.text);
  const { messages, system, tools } = parsed.conversation;
  if (tools) throw new Error('the row has "tools", which cannot be rendered into the chat template yet; remove the field or pre-tokenize the row');
  const chat: ChatMessage[] = system !== undefined ? [{ role: 'system', content: system }, ...messages] : [...messages];
  return tokenizer.encodeChatSandboxed(chat, trainOnPrompt); // the template is the model folder's code: sandboxed
}
