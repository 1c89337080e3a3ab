import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { metaContentSecurityPolicy, STYLE_NONCE_PLACEHOLDER } from './electron/shell/csp';

const alias = { '@shared': resolve(__dirname, 'shared') };

// Native modules stay external: they are loaded from node_modules at run time
// (rebuilt for Electron's ABI only on the packaging path, never in postinstall).
// pg too: the workspace connection's worker thread requires it by path (store/pg/sync-client.ts).
const nativeExternals = ['better-sqlite3', 'keytar', 'pg'];

// One Content-Security-Policy: the meta tag is written from the same module
// the web host and the app:// handler send as a header, with a placeholder
// where they put each response's style nonce. A build without the
// placeholders filled would ship a page with no policy, so that fails the build.
function contentSecurityPolicy(): Plugin {
  return {
    name: 'tieout-csp',
    transformIndexHtml(html) {
      if (!html.includes('%TIEOUT_CSP%')) throw new Error('renderer/index.html has no %TIEOUT_CSP% placeholder for the Content-Security-Policy meta tag');
      if (!html.includes('%TIEOUT_STYLE_NONCE%')) throw new Error('renderer/index.html has no %TIEOUT_STYLE_NONCE% placeholder for the style nonce meta tag');
      // The servers replace STYLE_NONCE_PLACEHOLDER with a fresh nonce in every response.
      return html.replace('%TIEOUT_CSP%', metaContentSecurityPolicy(STYLE_NONCE_PLACEHOLDER)).replace('%TIEOUT_STYLE_NONCE%', STYLE_NONCE_PLACEHOLDER);
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
