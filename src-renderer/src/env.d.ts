// Globals the renderer may find on window: the Electron preload's bridge (absent in a browser under `serve`).
import type { PreloadBridge } from '../../src-main/common/contract';

declare global {
  interface Window {
    ftstudio?: PreloadBridge;
  }
}

export {};
