// ShareGPT rows: `conversations: [{from, value}]` with LLaMA-Factory's role tags, optional `system` and `tools`.
import { FieldError } from './errors';
import { optionalString, optionalTools, requireArray, requireObject, requireString, withSystem, type Conversation, type JsonObject, type Role, type RowFormat } from './conversation';

/**
 * `from` tag → canonical role. function_call turns are the assistant's (its call, as text) and observation turns are
 * the tool's result, as in LLaMA-Factory. The call stays raw text: it is not rewritten into a model's native
 * tool-call markup (e.g. Qwen's <tool_call>), so the model learns the dataset's own call syntax.
 */
export const SHAREGPT_ROLES: Record<string, Role | 'system'> = {
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  function_call: 'assistant',
  observation: 'tool',
  system: 'system',
};

export function detect(row: JsonObject): boolean {
  return 'conversations' in row;
}

export function toConversation(row: JsonObject): Conversation {
  const turns = requireArray(row.conversations, 'conversations').map((item, i) => {
    const turn = requireObject(item, `conversations[${i}]`);
    // Some exports use OpenAI's {role, content} keys inside `conversations`; accept them rather than fail the file.
    const [roleKey, contentKey] = 'from' in turn || !('role' in turn) ? ['from', 'value'] : ['role', 'content'];
    const tag = requireString(turn[roleKey], `conversations[${i}].${roleKey}`);
    const role = SHAREGPT_ROLES[tag];
    if (!role) {
      throw new FieldError(`conversations[${i}].${roleKey}`, `must be one of ${Object.keys(SHAREGPT_ROLES).join(', ')}; got "${tag}"`);
    }
    return { role, content: requireString(turn[contentKey], `conversations[${i}].${contentKey}`) };
  });
  const conversation = withSystem(turns, optionalString(row.system, 'system'), 'conversations');
  const tools = optionalTools(row.tools);
  return tools ? { ...conversation, tools } : conversation;
}

export const sharegptFormat: RowFormat = {
  name: 'sharegpt',
  detect,
  parse: (row) => ({ kind: 'chat', conversation: toConversation(row) }),
};
