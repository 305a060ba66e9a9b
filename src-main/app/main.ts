// Electron entry: single instance, services on the user-data folder, IPC, and the one secure main window.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, shell } from 'electron';
import { createAppServices, type AppServices } from '../services/app-services';
import { onnxruntimeProbe } from '../services/hardware/ort-providers';
import { ElectronEngineLauncher } from './engine-launcher';
import { registerIpc } from './ipc';
import { createMainWindow, harden } from './windows';

const here = fileURLToPath(new URL('.', import.meta.url)); // out/main/
const preloadPath = join(here, '../preload/preload.cjs');
// electron-vite sets ELECTRON_RENDERER_URL for its dev server; a build loads the file.
const rendererUrl = process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(join(here, '../renderer/index.html')).href;

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
