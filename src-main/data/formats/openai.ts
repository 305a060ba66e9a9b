// OpenAI chat rows: `messages: [{role, content}]`, content a string or text parts; images and tool calls are refused.
import { FieldError, jsonType } from './errors';
import { optionalString, optionalTools, requireArray, requireObject, requireString, withSystem, type Conversation, type JsonObject, type Role, type RowFormat } from './conversation';

/** `developer` is OpenAI's newer name for the system role; `function` is the legacy name of a tool result. */
const OPENAI_ROLES: Record<string, Role | 'system'> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  assistant: 'assistant',
  tool: 'tool',
  function: 'tool',
};

/** Text parts are concatenated without a separator, as the chat templates that take part lists (Qwen2-VL, Llama 3.2) render them. */
function contentText(value: unknown, field: string): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) throw new FieldError(field, value === undefined ? 'is missing (expected a string or an array of text parts)' : `must be a string or an array of text parts, got ${jsonType(value)}`);
  return value.map((item, j) => {
    const part = requireObject(item, `${field}[${j}]`);
    if (part.type !== 'text') {
      const kind = typeof part.type === 'string' ? `a part of type "${part.type}"` : 'a part without a "type"';
      throw new FieldError(`${field}[${j}]`, `is ${kind}: only text parts are supported (images and other media cannot be trained on by a text model); remove it`);
    }
    return requireString(part.text, `${field}[${j}].text`);
  }).join('');
}

export function detect(row: JsonObject): boolean {
  return 'messages' in row;
}

export function toConversation(row: JsonObject): Conversation {
  const turns = requireArray(row.messages, 'messages').map((item, i) => {
    const message = requireObject(item, `messages[${i}]`);
    const tag = requireString(message.role, `messages[${i}].role`);
    const role = OPENAI_ROLES[tag];
    if (!role) throw new FieldError(`messages[${i}].role`, `must be one of ${Object.keys(OPENAI_ROLES).join(', ')}; got "${tag}"`);
    if (Array.isArray(message.tool_calls) && message.tool_calls.length > 0) {
      throw new FieldError(`messages[${i}].tool_calls`, 'is not supported yet (assistant tool calls need the chat template\'s tool-call rendering); remove the row or convert the call to text');
    }
    // OpenAI's fine-tuning `weight: 0` means "do not train on this reply"; our masks cannot honour it per turn yet,
    // and training on a reply the author excluded would be worse than refusing.
    if (message.weight === 0) throw new FieldError(`messages[${i}].weight`, 'is 0, but per-message weights are not supported yet; remove the message or the weight');
    return { role, content: contentText(message.content, `messages[${i}].content`) };
  });
  const conversation = withSystem(turns, optionalString(row.system, 'system'), 'messages');
  const tools = optionalTools(row.tools);
  return tools ? { ...conversation, tools } : conversation;
}

export const openaiFormat: RowFormat = {
  name: 'openai',
  detect,
  parse: (row) => ({ kind: 'chat', conversation: toConversation(row) }),
};
