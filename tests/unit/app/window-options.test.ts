// Window security: the options every window gets, and the navigation / window.open rules.
import { describe, expect, it } from 'vitest';
import { APP_INDEX_URL } from '../../../src-main/app/app-protocol';
import { allowNavigation, decideWindowOpen, isAppUrl, mainWindowOptions, secureWebPreferences } from '../../../src-main/app/window-options';
import { isSafeExternalUrl } from '../../../src-main/services/external-url';

describe('window security', () => {
  it('isolates and sandboxes every renderer', () => {
    const prefs = secureWebPreferences('/app/preload.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(mainWindowOptions('/p.cjs', true).webPreferences).toEqual(secureWebPreferences('/p.cjs'));
  });

  it('allows navigation only within the app page: app://renderer/index.html and its hash routes', () => {
    const app = APP_INDEX_URL;
    for (const url of ['app://renderer/index.html', 'app://renderer/index.html#/runs', 'app://renderer/index.html#/data/import?step=2']) {
      expect(allowNavigation(url, app), url).toBe(true);
      expect(isAppUrl(url, app), url).toBe(true);
    }
    for (const url of [
      'app://renderer/assets/index-abc.js', // the same origin, another file
      'app://renderer/other.html',
      'app://renderer/',
      'app://renderer/index.html?next=https://evil.example',
      'app://evil/index.html', // another host on our scheme
      'app://renderer:8080/index.html',
      'app://user@renderer/index.html',
      'file:///opt/ftstudio/out/renderer/index.html', // file:// is no longer the app
      'file:///etc/passwd',
      'https://example.com/',
      'http://localhost:5173/',
      'javascript:alert(1)',
      'data:text/html,<h1>x</h1>',
      'about:blank',
      'not a url',
    ]) {
      expect(allowNavigation(url, app), url).toBe(false);
      expect(isAppUrl(url, app), url).toBe(false);
    }
  });

  it('keeps the dev server case for ELECTRON_RENDERER_URL, and accepts no other kind of renderer URL', () => {
    const dev = 'http://localhost:5173/';
    expect(isAppUrl('http://localhost:5173/#/models', dev)).toBe(true);
    expect(allowNavigation('http://localhost:5173/', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('https://localhost:5173/', dev)).toBe(false);
    expect(isAppUrl(APP_INDEX_URL, dev)).toBe(false);
    expect(isAppUrl('not a url', dev)).toBe(false);
    const file = 'file:///opt/ftstudio/out/renderer/index.html';
    expect(isAppUrl(file, file)).toBe(false);
  });

  it('denies window.open and sends only checked web links to the system browser', () => {
    expect(decideWindowOpen('https://huggingface.co/docs', isSafeExternalUrl)).toEqual({ action: 'deny', openExternally: true });
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'ftp://x/y', 'https://user:pw@evil.example/', 'smb://share']) {
      expect(decideWindowOpen(url, isSafeExternalUrl)).toEqual({ action: 'deny', openExternally: false });
    }
  });
});
