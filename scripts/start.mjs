// `npm start`: install what is missing, build, open the app in demo mode.
// `npm start -- --web` (= `npm run start:web`): serve the same app to a browser.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { electronBinary, ensureDependencies, ensureNodeNativeModules, mustRun, reexecWithKeyringIfNeeded, root, run } from './env.mjs';

const args = process.argv.slice(2);
const web = args.includes('--web');
const passThrough = args.filter((a) => a !== '--web');

ensureDependencies();
const electron = web ? null : electronBinary();
if (!electron) {
  if (!web && !process.env.TIEOUT_KEYRING_SESSION) console.log('The Electron binary is not available on this machine; serving the same app to your browser instead (npm run start:web).');
  reexecWithKeyringIfNeeded(resolve(root, 'scripts/start.mjs'), args);
}
mustRun('npx', ['electron-vite', 'build']);
mustRun('node', ['scripts/build-engine.mjs']);

if (electron) {
  // Native modules must be built for Electron's ABI before it loads them.
  const rebuilt = run('npx', ['--yes', '@electron/rebuild', '--only', 'better-sqlite3,keytar', '--force']);
  if (rebuilt !== 0) console.warn('Could not rebuild native modules for Electron; the app may fail to open its store.');
  const child = spawn(electron, ['.', ...passThrough], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  ensureNodeNativeModules();
  const child = spawn(process.execPath, ['out/engine/tieout.js', 'web', ...passThrough], { cwd: root, stdio: 'inherit' });
  const stop = () => child.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', (code) => process.exit(code ?? 0));
}
