// Creates the main window and locks down every web contents (navigation, window.open, permissions).
import { BrowserWindow, nativeTheme, shell, type WebContents } from 'electron';
import { isSafeExternalUrl } from '../services/external-url';
import { allowNavigation, decideWindowOpen, mainWindowOptions } from './window-options';

export function harden(contents: WebContents, rendererUrl: string): void {
  contents.on('will-navigate', (event, url) => {
    if (!allowNavigation(url, rendererUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!allowNavigation(url, rendererUrl)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    const decision = decideWindowOpen(url, isSafeExternalUrl);
    if (decision.openExternally) void shell.openExternal(url);
    return { action: decision.action };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // The app asks for no permission: every request is refused, and every check (what the page can query or use
  // without a prompt) answers no.
  contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  contents.session.setPermissionCheckHandler(() => false);
}

export function createMainWindow(preloadPath: string, rendererUrl: string): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(preloadPath, nativeTheme.shouldUseDarkColors));
  harden(win.webContents, rendererUrl);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(rendererUrl);
  return win;
}
