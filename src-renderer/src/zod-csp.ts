// Turns off zod's `new Function` fast path before any schema is built: the strict CSP forbids eval (and reports the probe).
import { config } from 'zod';

config({ jitless: true });
