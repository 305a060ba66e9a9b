// Schemas describing the state of the local database, so the UI can offer to move a broken file aside.
import { z } from 'zod';

export const StoreStatus = z.object({
  path: z.string(),
  ok: z.boolean(),
  schemaVersion: z.number().int().nullable(),
  supportedVersion: z.number().int(),
  problem: z.enum(['newer-schema', 'corrupt']).nullable(),
  message: z.string().nullable(),
});
export type StoreStatus = z.infer<typeof StoreStatus>;
