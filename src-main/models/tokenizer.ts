// Text → token ids for training: tokenizer.json + the chat template of tokenizer_config.json, read from a local folder,
// with supervised-fine-tuning labels that mask everything but the assistant's turns (-100 is ignored by the loss).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { Template } from '@huggingface/jinja';
import { ChatTemplateError, ChatTemplateSandbox } from './chat-template-sandbox';

export const IGNORE_INDEX = -100;

export interface ChatMessage { role: 'system' | 'user' | 'assistant' | 'tool'; content: string }
export interface TokenizedExample { inputIds: number[]; labels: number[] }

type Json = Record<string, unknown>;

/** tokenizer_config.json writes special tokens as strings or as {content: …} objects. */
function tokenText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as Json).content === 'string') return (value as Json).content as string;
  return null;
}

function readJson(file: string): Json {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}).`, { cause: err });
  }
}

/**
 * A model folder's tokenizer and chat template. The template is untrusted code from the folder: in the app's main
 * process and the CLI it is only ever rendered in a ChatTemplateSandbox (the *Sandboxed methods); the synchronous
 * renderChat/encodeChat render in-process and are for engine processes, which a runaway template cannot take the app down
 * with.
 */
export class TextTokenizer {
  private readonly templateSource: string | null;
  private inProcess: Template | null = null;
  private sandbox: ChatTemplateSandbox | null = null;
  readonly specialTokens: Record<'bos_token' | 'eos_token' | 'pad_token' | 'unk_token', string | null>;

  private constructor(private readonly tokenizer: Tokenizer, config: Json, readonly vocabSize: number, private readonly configFile: string) {
    const chatTemplate = config.chat_template;
    this.templateSource = typeof chatTemplate === 'string' ? chatTemplate : null;
    this.specialTokens = {
      bos_token: tokenText(config.bos_token),
      eos_token: tokenText(config.eos_token),
      pad_token: tokenText(config.pad_token),
      unk_token: tokenText(config.unk_token),
    };
  }

  /** Loads DIR/tokenizer.json and DIR/tokenizer_config.json; nothing is fetched from the network. */
  static fromFolder(dir: string): TextTokenizer {
    const tokenizerFile = join(dir, 'tokenizer.json');
    if (!existsSync(tokenizerFile)) throw new Error(`${dir} has no tokenizer.json: a model folder needs one to train on text (or use pre-tokenized data).`);
    const configFile = join(dir, 'tokenizer_config.json');
    const config = existsSync(configFile) ? readJson(configFile) : {};
    const json = readJson(tokenizerFile);
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(json, config);
    } catch (err) {
      throw new Error(`${tokenizerFile} could not be loaded as a tokenizer: ${(err as Error).message}`, { cause: err });
    }
    // The library accepts some files it cannot really use (an unknown model type, a vocabulary without the pieces its
    // model needs) and then encodes to missing ids: find out now, with the file named, not as NaN tokens in a run.
    const probe = tokenizer.encode('Hello, world! 123', { add_special_tokens: false }).ids;
    if (probe.length === 0 || !probe.every((id) => Number.isInteger(id))) {
      const type = (json.model as { type?: unknown } | undefined)?.type;
      throw new Error(`${tokenizerFile} does not work as a tokenizer: its model (type ${JSON.stringify(type)}) encodes plain text to missing ids, so the file is of a kind or shape this app cannot use.`);
    }
    return new TextTokenizer(tokenizer, config, tokenizer.get_vocab(true).size, configFile);
  }

  get hasChatTemplate(): boolean {
    return this.templateSource !== null;
  }

  /** Stops the template's sandbox worker, if one was started. */
  close(): Promise<void> {
    return this.sandbox?.close() ?? Promise.resolve();
  }

  get eosTokenId(): number | null {
    return this.specialTokens.eos_token == null ? null : this.tokenizer.token_to_id(this.specialTokens.eos_token) ?? null;
  }

  encode(text: string, addSpecialTokens = false): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: addSpecialTokens }).ids;
  }

  decode(ids: number[]): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: false });
  }

  private context(messages: ChatMessage[], addGenerationPrompt: boolean): Record<string, unknown> {
    if (this.templateSource === null) throw new Error('This tokenizer has no chat_template in tokenizer_config.json: use plain-text or pre-tokenized data.');
    return { messages, add_generation_prompt: addGenerationPrompt, ...this.specialTokens };
  }

  /** In-process rendering: for engine processes only (see the class comment). */
  renderChat(messages: ChatMessage[], addGenerationPrompt: boolean): string {
    const context = this.context(messages, addGenerationPrompt);
    return this.parsed().render(context);
  }

  private parsed(): Template {
    if (!this.inProcess) {
      try {
        this.inProcess = new Template(this.templateSource!);
      } catch (err) {
        throw new ChatTemplateError(`The chat template of ${this.configFile} is not valid Jinja: ${(err as Error).message}.`);
      }
    }
    return this.inProcess;
  }

  /** Renders in the sandbox: a runaway template is stopped at its time or memory limit with an error naming it. */
  async renderChatSandboxed(messages: ChatMessage[], addGenerationPrompt: boolean): Promise<string> {
    const [out] = await this.sandboxed([this.context(messages, addGenerationPrompt)]);
    return out;
  }

  private sandboxed(contexts: Record<string, unknown>[]): Promise<string[]> {
    this.sandbox ??= new ChatTemplateSandbox(this.templateSource!, this.configFile);
    return this.sandbox.render(contexts);
  }

  /** The renders encodeChat needs: the whole conversation, then each assistant turn's prompt (the turns before it). */
  private chatContexts(messages: ChatMessage[]): Record<string, unknown>[] {
    const contexts = [this.context(messages, false)];
    messages.forEach((m, i) => { if (m.role === 'assistant') contexts.push(this.context(messages.slice(0, i), true)); });
    return contexts;
  }

  /**
   * Renders the whole conversation once and finds each assistant reply's span in it: it starts where the render of
   * the turns before it (with the generation prompt) ends — or, for templates that render earlier turns differently
   * (Qwen3 adds a think block to the last turn), where the reply's text occurs — and runs through the end-of-turn
   * token that follows the reply, so the model learns to stop. Only those spans are labelled, unless trainOnPrompt.
   * Segments are tokenized separately; the split points sit at template boundaries, never inside a word.
   */
  encodeChat(messages: ChatMessage[], trainOnPrompt = false): TokenizedExample {
    return this.encodeRendered(messages, this.chatContexts(messages).map((c) => this.parsed().render(c)), trainOnPrompt);
  }

  /** encodeChat with the template rendered in the sandbox (the app's main process and the CLI). */
  async encodeChatSandboxed(messages: ChatMessage[], trainOnPrompt = false): Promise<TokenizedExample> {
    return this.encodeRendered(messages, await this.sandboxed(this.chatContexts(messages)), trainOnPrompt);
  }

  /** `rendered` as chatContexts lists them: the full conversation, then one prompt per assistant turn. */
  private encodeRendered(messages: ChatMessage[], rendered: string[], trainOnPrompt: boolean): TokenizedExample {
    const [full, ...prompts] = rendered;
    const eos = this.specialTokens.eos_token;
    const spans: [number, number][] = [];
    let searchFrom = 0;
    let turn = 0;
    messages.forEach((m, i) => {
      if (m.role !== 'assistant') return;
      const before = prompts[turn++];
      const promptEnd = full.startsWith(before) && before.length >= searchFrom ? before.length : -1;
      const contentAt = full.indexOf(m.content, promptEnd >= 0 ? promptEnd : searchFrom);
      if (contentAt < 0) throw new Error(`The chat template's output does not contain assistant turn ${i}'s text, so it cannot be located for masking.`);
      let end = contentAt + m.content.length;
      if (eos) {
        const eosAt = full.indexOf(eos, end);
        if (eosAt >= 0 && full.slice(end, eosAt).trim() === '') end = eosAt + eos.length;
      }
      spans.push([promptEnd >= 0 ? promptEnd : contentAt, end]);
      searchFrom = end;
    });
    const inputIds: number[] = [];
    const labels: number[] = [];
    let cursor = 0;
    const push = (text: string, trained: boolean) => {
      if (!text) return;
      const ids = this.encode(text);
      inputIds.push(...ids);
      labels.push(...(trained ? ids : ids.map(() => IGNORE_INDEX)));
    };
    for (const [start, end] of spans) {
      push(full.slice(cursor, start), trainOnPrompt);
      push(full.slice(start, end), true);
      cursor = end;
    }
    push(full.slice(cursor), trainOnPrompt);
    return { inputIds, labels };
  }

  /** Plain text: every token is a label; an EOS is appended when the tokenizer has one. */
  encodeText(text: string): TokenizedExample {
    const ids = this.encode(text);
    const eos = this.eosTokenId;
    if (eos != null) ids.push(eos);
    return { inputIds: ids, labels: [...ids] };
  }
}
