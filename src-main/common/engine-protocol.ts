// Typed messages between the job supervisor (main) and an engine process. Both ends validate what they receive.
import { z } from 'zod';
import { JobKind } from './jobs';

/** main → engine */
export const ToEngine = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), jobId: z.string(), kind: JobKind, params: z.record(z.string(), z.unknown()), runDir: z.string().nullable() }),
  z.object({ type: z.literal('cancel') }),
]);
export type ToEngine = z.infer<typeof ToEngine>;

/** engine → main */
export const FromEngine = z.discriminatedUnion('type', [
  z.object({ type: z.literal('heartbeat'), at: z.number() }),
  z.object({ type: z.literal('progress'), progress: z.number().min(0).max(1), message: z.string().nullable(), rate: z.number().nullable(), etaSeconds: z.number().nullable() }),
  z.object({ type: z.literal('log'), level: z.enum(['debug', 'info', 'warn', 'error']), text: z.string() }),
  z.object({ type: z.literal('metrics'), step: z.number().int(), values: z.record(z.string(), z.number()) }),
  z.object({ type: z.literal('checkpoint'), step: z.number().int(), path: z.string() }),
  z.object({ type: z.literal('done'), result: z.record(z.string(), z.unknown()).optional() }),
  z.object({ type: z.literal('failed'), error: z.string() }),
  z.object({ type: z.literal('cancelled') }),
]);
export type FromEngine = z.infer<typeof FromEngine>;

/** How often an engine says it is alive, and how many missed beats make main call it dead. */
export const HEARTBEAT_MS = 1_000;
export const MISSED_HEARTBEATS_FATAL = 10;
/** Cancel is a message first; after this grace period the process is killed. */
export const CANCEL_GRACE_MS = 2_000;
