import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { META_CONTENT_SECURITY_POLICY } from './electron/shell/csp';

const alias = { '@shared': resolve(__dirname, 'shared') };

// Native modules stay external: they are loaded from node_modules at run time
// (rebuilt for Electron's ABI only on the packaging path, never in postinstall).
const nativeExternals = ['better-sqlite3', 'keytar'];

// One Content-Security-Policy: the meta tag is written from the same module
// the web host and the app:// handler send as a header. A build without the
// placeholder filled would ship a page with no policy, so that fails the build.
function contentSecurityPolicy(): Plugin {
  return {
    name: 'tieout-csp',
    transformIndexHtml(html) {
      if (!html.includes('%TIEOUT_CSP%')) throw new Error('renderer/index.html has no %TIEOUT_CSP% placeholder for the Content-Security-Policy meta tag');
      return html.replace('%TIEOUT_CSP%', META_CONTENT_SECURITY_POLICY);
    },
  };
}

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
    plugins: [react(), contentSecurityPolicy()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      minify: true,
      rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } },
    },
  },
});
