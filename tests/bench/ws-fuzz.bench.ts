// Benchmark (issue 16): a bounded fuzz of the serve-mode WebSocket API. A real `ftstudio serve` (its own process, a
// fresh data folder) receives random methods with random inputs, and now and then a malformed frame, for 60 s over
// loopback only; targets: ≥ 10,000 messages, 0 server crashes (Node ends a process on an unhandled rejection, so that
// counts too), server memory flat: RSS at the end at most 10% above RSS after the first 10 s (a fall is the GC, not a leak). Prints one JSON object.
//   npx tsx tests/bench/ws-fuzz.bench.ts [--seconds 60]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { tokenProtocols } from '../../src-main/common/api-token';
import { methods } from '../../src-main/common/contract';

const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 60;
const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
// Calls that would start engine processes or move the database aside are left out: they are not what a fuzz of the
// transport and input validation is about, and each would fork a process or rename files.
const SKIP = new Set(['jobs.start', 'train.start', 'store.moveAside', 'jobs.resume', 'estimate.calibrate']);
const METHODS = [...Object.keys(methods).filter((m) => !SKIP.has(m)), 'no.such', '', '__proto__', 'constructor'];

let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];

function value(depth = 0): unknown {
  const r = rand();
  if (depth > 3 || r < 0.15) return pick([null, true, false, 0, -1, 1e308, Number.MAX_SAFE_INTEGER, 0.5]);
  if (r < 0.35) return pick(['', 'x', '../../etc/passwd', '\u0000', 'a'.repeat(1 + Math.floor(rand() * 2000)), '{{ 7*7 }}', 'v1', 'tiny']);
  if (r < 0.55) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
  const keys = ['id', 'name', 'versionId', 'path', 'paths', 'kind', 'params', 'model', 'limit', 'offset', 'recipe', 'taskId', '__proto__', 'constructor'];
  return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, () => [pick(keys), value(depth + 1)]));
}

function frame(id: number): string {
  const r = rand();
  if (r < 0.002) return 'not json'; // the server closes the connection on these: the fuzz reconnects
  if (r < 0.004) return JSON.stringify({ kind: 'reply', id });
  return JSON.stringify({ kind: 'call', id, method: pick(METHODS), input: rand() < 0.3 ? {} : value() });
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'ftstudio-fuzz-'));
  const renderer = join(work, 'renderer');
  mkdirSync(renderer);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>fuzz</title>');
  const server = spawn(process.execPath, [join(ROOT, 'bin/ftstudio.js'), 'serve', '--json', '--port', '0', '--renderer', renderer], {
    cwd: ROOT, env: { ...process.env, FTSTUDIO_HOME: join(work, 'home') }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let crashed: number | null = null;
  let serverErr = '';
  server.stderr!.on('data', (d) => { serverErr += d; });
  server.once('exit', (code) => { crashed = code ?? -1; });
  const url = await new Promise<string>((ok) => {
    let out = '';
    server.stdout!.on('data', (d) => { out += d; const m = /"url":\s*"([^"]+)"/.exec(out); if (m) ok(m[1]); });
  });
  const page = new URL(url);
  const token = page.searchParams.get('token')!;
  const counts = { sent: 0, replies: 0, errors: 0, closedByServer: 0, connections: 0 };
  const until = Date.now() + SECONDS * 1000;
  let rssEarly = Number.NaN;

  /** One connection: replies are matched to their call by id; a closed socket settles whatever it still owed. */
  const connect = () => new Promise<{ ws: WebSocket; waiting: Map<number, () => void> }>((ok, fail) => {
    const ws = new WebSocket(`ws://${page.host}/api`, tokenProtocols(token), { origin: page.origin });
    const waiting = new Map<number, () => void>();
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString());
      if (msg.kind !== 'reply') return;
      counts.replies++;
      if (!msg.ok) counts.errors++;
      waiting.get(msg.id)?.();
      waiting.delete(msg.id);
    });
    ws.on('close', () => { for (const done of waiting.values()) done(); waiting.clear(); });
    ws.once('open', () => { counts.connections++; ok({ ws, waiting }); });
    ws.once('error', fail);
  });
  let socket = await connect();
  while (Date.now() < until && crashed === null) {
    if (Number.isNaN(rssEarly) && Date.now() > until - (SECONDS - 10) * 1000) rssEarly = rssMb(server.pid!);
    if (socket.ws.readyState !== WebSocket.OPEN) {
      counts.closedByServer++;
      socket = await connect();
    }
    const { ws, waiting } = socket;
    await Promise.all(Array.from({ length: 50 }, () => new Promise<void>((done) => {
      const id = ++counts.sent;
      const timer = setTimeout(() => { waiting.delete(id); done(); }, 5_000);
      waiting.set(id, () => { clearTimeout(timer); done(); });
      ws.send(frame(id));
    })));
  }
  const rssEnd = crashed === null ? rssMb(server.pid!) : Number.NaN;
  socket.ws.close();
  const alive = crashed === null;
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  rmSync(work, { recursive: true, force: true });
  const growth = (rssEnd - rssEarly) / rssEarly;
  console.log(JSON.stringify({
    seconds: SECONDS, messages: counts.sent, replies: counts.replies, error_replies: counts.errors, connections: counts.connections,
    closed_by_server: counts.closedByServer, server_crashed: !alive, rss_mb_after_10s: Number(rssEarly.toFixed(1)), rss_mb_end: Number(rssEnd.toFixed(1)), rss_growth: Number(growth.toFixed(4)),
    targets: { messages_ge_10000: counts.sent >= 10_000, no_crash: alive, rss_growth_le_10pct: growth <= 0.1 },
    ...(alive ? {} : { server_stderr_tail: serverErr.slice(-2000) }),
  }, null, 2));
}

void main();
