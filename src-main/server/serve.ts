// Serve mode: the built renderer and the API over WebSocket on one HTTP server, bound to loopback by default.
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { TOKEN_QUERY_PARAM } from '../common/api-token';
import type { AppServices } from '../services/app-services';
import { newApiToken, type Refusal } from './api-auth';
import { securityHeaders } from './security-headers';
import { serveStatic } from './static-files';
import { attachWebSocketApi } from './ws-transport';

export interface ServeOptions {
  services: AppServices;
  rendererDir: string;
  host?: string;
  port?: number; // 0 or absent: a free port
  /** The API's secret; absent: a new random one for this launch (tests pass their own). */
  token?: string;
}

export interface RunningServer {
  /** The page address with this launch's token: the one address that can use the API. */
  url: string;
  /** The server's origin, without the token. */
  origin: string;
  token: string;
  port: number;
  /** Handshakes refused so far, by reason (a wrong path, a foreign origin, a missing or wrong token). */
  refused(): Record<Refusal, number>;
  close(): Promise<void>;
}

/** The renderer bundle built by `electron-vite build`, relative to the project root. */
export function defaultRendererDir(projectRoot: string): string {
  return join(projectRoot, 'out', 'renderer');
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen(server.address() as AddressInfo));
  });
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const rendererDir = resolve(options.rendererDir);
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`The renderer is not built (no ${join(rendererDir, 'index.html')}). Run \`npm run build\` first, or use \`npm run serve\`, which builds it.`);
  }
  const host = options.host ?? '127.0.0.1';
  let origins = new Set<string>();
  let headers: Record<string, string> = {};
  const server = createServer((req, res) => serveStatic(rendererDir, req, res, headers));
  const token = options.token ?? newApiToken();
  const refused: Record<Refusal, number> = { path: 0, origin: 0, token: 0 };
  const wss = attachWebSocketApi(server, options.services.handlers, options.services.hub, {
    origins: () => origins,
    token,
    onRefused: (why) => { refused[why] += 1; },
  });
  const address = await listen(server, options.port ?? 0, host);
  const port = address.port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const origin = `http://${urlHost}:${port}`;
  const url = `${origin}/?${TOKEN_QUERY_PARAM}=${token}`;
  origins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`, `http://${urlHost}:${port}`]);
  headers = securityHeaders(`http://${urlHost}:${port}`);
  return {
    url,
    origin,
    token,
    port,
    refused: () => ({ ...refused }),
    close: () => new Promise<void>((done) => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.close(() => done());
      server.closeAllConnections();
    }),
  };
}
