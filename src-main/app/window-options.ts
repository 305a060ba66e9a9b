// Window security in one place: the webPreferences of every window and the rules for navigation and new windows.
// Kept free of runtime electron imports so a plain-Node unit test can assert it.
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import { APP_SCHEME } from './app-protocol';

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true, // the page and the preload never share JS objects
    sandbox: true, // the renderer is an OS-sandboxed process with no Node
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false, // a dropped file must not replace the app (the data wizard handles drops itself)
    spellcheck: false,
  };
}

export function mainWindowOptions(preloadPath: string, dark: boolean): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false, // shown on ready-to-show, so no white flash
    backgroundColor: dark ? '#14161a' : '#f7f7f8',
    title: 'Finetune Studio',
    webPreferences: secureWebPreferences(preloadPath),
  };
}

/**
 * The app's own page: the built renderer at app://renderer/index.html with any hash route (the router's), nothing
 * else on that origin and no other scheme; or, during `electron-vite dev` (ELECTRON_RENDERER_URL), the dev server's origin.
 */
export function isAppUrl(url: string, rendererUrl: string): boolean {
  try {
    const target = new URL(url);
    const own = new URL(rendererUrl);
    if (own.protocol === 'http:' || own.protocol === 'https:') return target.origin === own.origin;
    if (own.protocol !== `${APP_SCHEME}:`) return false;
    target.hash = '';
    own.hash = '';
    return target.href === own.href; // same scheme, host, path and query: only the fragment may differ
  } catch {
    return false;
  }
}

export type WindowOpenDecision = { action: 'deny'; openExternally: boolean };

/** Every window.open is denied; a checked http(s) link goes to the system browser instead. */
export function decideWindowOpen(url: string, isSafeExternal: (url: string) => boolean): WindowOpenDecision {
  return { action: 'deny', openExternally: isSafeExternal(url) };
}

/** In-app navigation is only a hash-route change on the app's own page; everything else is blocked. */
export function allowNavigation(url: string, rendererUrl: string): boolean {
  return isAppUrl(url, rendererUrl);
}
