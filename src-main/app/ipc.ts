// Electron IPC: each contract method becomes an invoke channel, validated by the shared dispatcher; events go to all windows.
import { BrowserWindow, ipcMain } from 'electron';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_PREFIX, methodNames } from '../common/contract';
import { ApiError } from '../common/errors';
import { dispatch } from '../services/api-dispatch';
import type { AppServices } from '../services/app-services';
import { isAppUrl } from './window-options';

export function registerIpc(services: AppServices, rendererUrl: string): () => void {
  for (const method of methodNames) {
    ipcMain.handle(IPC_INVOKE_PREFIX + method, async (event, input) => {
      // Only our own page may call: a frame that navigated elsewhere gets nothing.
      const senderUrl = event.senderFrame?.url ?? '';
      if (!isAppUrl(senderUrl, rendererUrl)) {
        return { ok: false, error: new ApiError('invalid-input', 'Calls are accepted from the app window only.').toJSON() };
      }
      return dispatch(services.handlers, method, input);
    });
  }
  const unsubscribe = services.hub.subscribe((event, payload) => {
    for (const win of BrowserWindow.getAllWindows()) {
      if (!win.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, { event, payload });
    }
  });
  return () => {
    unsubscribe();
    for (const method of methodNames) ipcMain.removeHandler(IPC_INVOKE_PREFIX + method);
  };
}
