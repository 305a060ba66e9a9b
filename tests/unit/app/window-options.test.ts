// Window security: the options every window gets, and the navigation / window.open rules.
import { describe, expect, it } from 'vitest';
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

  it('allows navigation only within the app page', () => {
    const app = 'file:///opt/ftstudio/out/renderer/index.html';
    expect(allowNavigation('file:///opt/ftstudio/out/renderer/index.html#/runs', app)).toBe(true);
    expect(allowNavigation('file:///etc/passwd', app)).toBe(false);
    expect(allowNavigation('https://example.com/', app)).toBe(false);
    const dev = 'http://localhost:5173/';
    expect(isAppUrl('http://localhost:5173/#/models', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('not a url', dev)).toBe(false);
  });

  it('denies window.open and sends only checked web links to the system browser', () => {
    expect(decideWindowOpen('https://huggingface.co/docs', isSafeExternalUrl)).toEqual({ action: 'deny', openExternally: true });
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'ftp://x/y', 'https://user:pw@evil.example/', 'smb://share']) {
      expect(decideWindowOpen(url, isSafeExternalUrl)).toEqual({ action: 'deny', openExternally: false });
    }
  });
});
