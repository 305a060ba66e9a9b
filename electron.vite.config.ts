// Builds the three Electron bundles: main (plus the engine-process entry and its job thread), the sandboxed preload and the renderer.
import { resolve } from 'node:path';
import { cpSync } from 'node:fs';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

// Native modules and anything with its own binaries stay outside the bundle.
const external = ['electron', 'onnxruntime-node', '@duckdb/node-api', '@duckdb/node-bindings', 'ws'];

/** The store reads its numbered .sql migrations from disk beside the bundle, as it does beside the source. */
function copyMigrations() {
  return {
    name: 'ftstudio-copy-migrations',
    writeBundle() {
      cpSync(resolve(__dirname, 'src-main/store/migrations'), resolve(__dirname, 'out/main/migrations'), { recursive: true });
    },
  };
}

export default defineConfig({
  main: {
    plugins: [copyMigrations()],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        external,
        input: {
          main: resolve(__dirname, 'src-main/app/main.ts'),
          'engine-host': resolve(__dirname, 'src-main/engine/host.ts'),
          // The job thread the host starts (host.ts looks for it beside itself as engine-worker.js).
          'engine-worker': resolve(__dirname, 'src-main/engine/worker/entry.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can require only 'electron': everything else (zod, via the contract) is bundled in.
      externalizeDeps: false,
      rollupOptions: {
        external: ['electron'],
        input: { preload: resolve(__dirname, 'src-main/app/preload.ts') },
        // A sandboxed preload cannot load ES modules: it must be one CommonJS file.
        output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [vue()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: resolve(__dirname, 'src-renderer/index.html') },
    },
  },
});
