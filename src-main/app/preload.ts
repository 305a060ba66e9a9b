// The sandboxed preload: exposes one function per contract method and an event subscription, nothing raw.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_PREFIX, isEventName, methodNames, type EventName } from '../common/contract';

const bridge: Record<string, unknown> = {};
for (const method of methodNames) {
  bridge[method] = (input: unknown) => ipcRenderer.invoke(IPC_INVOKE_PREFIX + method, input);
}
bridge.onEvent = (event: EventName, handler: (payload: unknown) => void) => {
  if (!isEventName(event)) throw new Error(`Unknown event ${String(event)}`);
  const listener = (_e: IpcRendererEvent, message: { event: string; payload: unknown }) => {
    if (message.event === event) handler(message.payload);
  };
  ipcRenderer.on(IPC_EVENT_CHANNEL, listener);
  return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, listener);
};

// Electron no longer puts a path on a dropped File; this is the supported way to ask for it (a path string, nothing more).
bridge.pathForFile = (file: unknown) => webUtils.getPathForFile(file as Parameters<typeof webUtils.getPathForFile>[0]);

contextBridge.exposeInMainWorld('ftstudio', bridge);
