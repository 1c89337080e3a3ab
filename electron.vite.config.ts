import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const alias = { '@shared': resolve(__dirname, 'shared') };

// Native modules stay external: they are loaded from node_modules at run time
// (rebuilt for Electron's ABI only on the packaging path, never in postinstall).
const nativeExternals = ['better-sqlite3', 'keytar'];

export default defineConfig({
  main: {
    resolve: { alias },
    build: {
      outDir: 'out/main',
      // The matching worker thread is its own entry, loaded beside index.js (electron/core/sync/match-runner.ts).
      rollupOptions: {
        input: { index: resolve(__dirname, 'electron/main.ts'), 'match-worker': resolve(__dirname, 'electron/core/sync/match-worker.ts') },
        external: nativeExternals,
      },
    },
  },
  preload: {
    resolve: { alias },
    build: {
      outDir: 'out/preload',
      rollupOptions: { input: { index: resolve(__dirname, 'electron/preload.ts') } },
    },
  },
  renderer: {
    root: 'renderer',
    resolve: { alias },
    plugins: [react()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      minify: true,
      rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } },
    },
  },
});
