// The desktop app's own scheme, app://renderer/…, instead of file://: it serves the built renderer folder and nothing
// else. Electron-free (a fetch Request in, a Response out), so a plain-Node test runs the handler exactly as main does.
import { readFile } from 'node:fs/promises';
import type { CustomScheme } from 'electron';
import { contentTypeFor, resolveContainedStaticPath } from '../server/static-files';

export const APP_SCHEME = 'app';
export const APP_HOST = 'renderer';
/** The page the main window loads: its origin is app://renderer, which is what 'self' means in the page's CSP. */
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * For protocol.registerSchemesAsPrivileged, before app ready. standard: a real origin and relative URLs (the bundle's
 * ./assets/…); secure: a secure context, like https; supportFetchAPI: the page may fetch its own files. corsEnabled
 * stays off, so no other origin can read these files, and bypassCSP stays off, so the page's CSP applies.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

export type AppFileLookup = { status: 200; file: string; contentType: string } | { status: 404 | 405 };

/**
 * Which file an app:// request names: GET or HEAD only, host `renderer` only, and a path that stays inside `root` on
 * the real file system (no `..`, encoded or not, no absolute path, no symlink out, no folder: no listing).
 */
export function lookupAppFile(root: string, method: string, url: string): AppFileLookup {
  if (method !== 'GET' && method !== 'HEAD') return { status: 405 };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { status: 404 };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST || parsed.username || parsed.password) return { status: 404 };
  const file = resolveContainedStaticPath(root, parsed.pathname || '/');
  return file ? { status: 200, file, contentType: contentTypeFor(file) } : { status: 404 };
}

const BASE_HEADERS = { 'X-Content-Type-Options': 'nosniff' };

function notFound(): Response {
  return new Response('Not found', { status: 404, headers: { ...BASE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
}

/** The protocol.handle handler for app://, serving files of `root` (out/renderer). */
export async function handleAppRequest(root: string, request: Request): Promise<Response> {
  const found = lookupAppFile(root, request.method, request.url);
  if (found.status !== 200) {
    return found.status === 405 ? new Response(null, { status: 405, headers: { ...BASE_HEADERS, Allow: 'GET, HEAD' } }) : notFound();
  }
  const headers = { ...BASE_HEADERS, 'Content-Type': found.contentType, 'Cache-Control': 'no-cache' };
  if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
  try {
    return new Response(await readFile(found.file), { status: 200, headers });
  } catch {
    return notFound(); // removed between the lookup and the read
  }
}
