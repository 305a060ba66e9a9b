// Chat templates come from model folders, so they are untrusted code: a Jinja loop over range(10^8) or a nested loop
// would otherwise hold the process's event loop (and in serve mode the whole server) until V8 ran out of memory. Here
// each template is parsed and rendered in its own worker thread with a heap limit, and every batch of renders has a
// time limit; past either, the worker is stopped and the error names the template's file and the limit it hit.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface TemplateLimits {
  /** Wall-clock time one batch of renders (one conversation's) may take. */
  timeMs: number;
  /** The worker's old-generation heap. */
  memoryMb: number;
}

export const TEMPLATE_LIMITS: TemplateLimits = { timeMs: 5_000, memoryMb: 256 };

/** Runs as CommonJS in the worker: parses once, then renders each batch it is sent. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let template = null;
let parseError = null;
try {
  template = new (require(workerData.jinja).Template)(workerData.source);
} catch (err) {
  parseError = String((err && err.message) || err);
}
parentPort.on('message', ({ id, contexts }) => {
  if (parseError !== null) return parentPort.postMessage({ id, ok: false, stage: 'parse', message: parseError });
  try {
    parentPort.postMessage({ id, ok: true, out: contexts.map((c) => template.render(c)) });
  } catch (err) {
    parentPort.postMessage({ id, ok: false, stage: 'render', message: String((err && err.message) || err) });
  }
});
`;

const JINJA = createRequire(import.meta.url).resolve('@huggingface/jinja');

type Reply = { id: number; ok: true; out: string[] } | { id: number; ok: false; stage: 'parse' | 'render'; message: string };

interface Pending {
  resolve: (out: string[]) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class ChatTemplateError extends Error {}

export class ChatTemplateSandbox {
  private worker: Worker | null = null;
  private failure: ChatTemplateError | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  /** `origin` names the template for people: the file it came from. */
  constructor(private readonly source: string, private readonly origin: string, private readonly limits: TemplateLimits = TEMPLATE_LIMITS) {}

  /** Renders each context with the template, in order. Rejects with a ChatTemplateError naming the origin. */
  render(contexts: Record<string, unknown>[]): Promise<string[]> {
    if (this.failure) return Promise.reject(this.failure);
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new ChatTemplateError(`The chat template of ${this.origin} was stopped: rendering one conversation took more than ${this.limits.timeMs / 1000} s (the time limit for a template).`));
      }, this.limits.timeMs);
      this.pending.set(id, { resolve, reject, timer });
      worker.ref();
      worker.postMessage({ id, contexts });
    });
  }

  /** Stops the worker; later renders start a new one. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { jinja: JINJA, source: this.source },
      resourceLimits: { maxOldGenerationSizeMb: this.limits.memoryMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    });
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (err: Error & { code?: string }) => {
      this.fail(new ChatTemplateError(err.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? `The chat template of ${this.origin} was stopped: it used more than ${this.limits.memoryMb} MB of memory (the memory limit for a template).`
        : `The chat template of ${this.origin} failed: ${err.message}`));
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = null;
      if (this.pending.size) this.fail(new ChatTemplateError(`The chat template of ${this.origin} was stopped before it finished.`));
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private settle(reply: Reply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (this.pending.size === 0) this.worker?.unref();
    if (reply.ok) p.resolve(reply.out);
    else if (reply.stage === 'parse') p.reject(new ChatTemplateError(`The chat template of ${this.origin} is not valid Jinja: ${reply.message}.`));
    else p.reject(new ChatTemplateError(`The chat template of ${this.origin} failed while rendering: ${reply.message}.`));
  }

  /** A limit was hit or the worker died: every waiting render fails with why, and so does every later one. */
  private fail(err: ChatTemplateError): void {
    this.failure = err;
    const worker = this.worker;
    this.worker = null;
    void worker?.terminate();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }
}
