// The serve-mode page's access key: taken once from the address `ftstudio serve` printed (?token=…), kept for this tab
// only (sessionStorage, so a reload still works), and removed from the address bar at once, so it is not left in the
// history, a bookmark or a shared screenshot.
import { TOKEN_QUERY_PARAM, isWellFormedToken } from '../../../src-main/common/api-token';

const STORAGE_KEY = 'ftstudio.api-token';

export interface TokenHost {
  location: { search?: string; href?: string };
  history?: { replaceState(data: unknown, unused: string, url?: string): void };
  sessionStorage?: { getItem(key: string): string | null; setItem(key: string, value: string): void };
}

export function takeServeToken(host: TokenHost): string | null {
  const params = new URLSearchParams(host.location.search ?? '');
  const fromAddress = params.get(TOKEN_QUERY_PARAM);
  if (fromAddress !== null && host.location.href && host.history) {
    const clean = new URL(host.location.href);
    clean.searchParams.delete(TOKEN_QUERY_PARAM);
    host.history.replaceState(null, '', clean.toString());
  }
  if (fromAddress !== null && isWellFormedToken(fromAddress)) {
    try {
      host.sessionStorage?.setItem(STORAGE_KEY, fromAddress);
    } catch {
      // storage refused (a locked-down browser): the key lives in this page only, and a reload needs the address again
    }
    return fromAddress;
  }
  try {
    const kept = host.sessionStorage?.getItem(STORAGE_KEY) ?? null;
    return kept !== null && isWellFormedToken(kept) ? kept : null;
  } catch {
    return null;
  }
}
