// Electron entry: single instance, services on the user-data folder, IPC, and the one secure main window.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, protocol, shell } from 'electron';
import { createAppServices, type AppServices } from '../services/app-services';
import { onnxruntimeProbe } from '../services/hardware/ort-providers';
import { APP_INDEX_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, handleAppRequest } from './app-protocol';
import { ElectronEngineLauncher } from './engine-launcher';
import { registerIpc } from './ipc';
import { createMainWindow, harden } from './windows';

const here = fileURLToPath(new URL('.', import.meta.url)); // out/main/
const preloadPath = join(here, '../preload/preload.cjs');
const rendererRoot = join(here, '../renderer');
// electron-vite sets ELECTRON_RENDERER_URL for its dev server; a build loads app://renderer/index.html, which serves
// out/renderer and nothing else (no file://: the page gets an origin of its own and no reach into the disk).
const rendererUrl = process.env.ELECTRON_RENDERER_URL ?? APP_INDEX_URL;

// Privileged schemes must be registered before app ready, once.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

let services: AppServices | null = null;
let mainWindow: BrowserWindow | null = null;

if (!app.requestSingleInstanceLock()) {
  app.quit(); // another window already owns the database; it gets focused by its 'second-instance' handler
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => harden(contents, rendererUrl));
  app.whenReady().then(async () => {
    protocol.handle(APP_SCHEME, (request) => handleAppRequest(rendererRoot, request));
    services = await createAppServices({
      home: app.getPath('userData'),
      mode: 'electron',
      launcher: new ElectronEngineLauncher(join(here, 'engine-host.js')),
      providers: onnxruntimeProbe,
      openExternal: (url) => shell.openExternal(url),
      pickPaths: async (kind, title) => {
        const data = { name: 'Datasets', extensions: ['jsonl', 'ndjson', 'json', 'csv', 'tsv', 'parquet'] };
        const result = await dialog.showOpenDialog({
          title, properties: kind === 'folder' ? ['openDirectory'] : ['openFile', 'multiSelections'], ...(kind === 'files' ? { filters: [data] } : {}),
        });
        return result.canceled ? [] : result.filePaths;
      },
    });
    registerIpc(services, rendererUrl);
    mainWindow = createMainWindow(preloadPath, rendererUrl);
    mainWindow.on('closed', () => { mainWindow = null; });
  });
  app.on('window-all-closed', async () => {
    // Training jobs keep running only while the app does; the journal marks them resumable if we quit.
    await services?.close();
    app.quit();
  });
}
