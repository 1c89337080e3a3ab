// `npm run bench`: figures, with ratios against baselines measured in the same run.
// Not part of `npm test`; nothing here asserts a timing.
import { resolve } from 'node:path';
import { ensureDependencies, ensureNodeNativeModules, mustRun, reexecWithKeyringIfNeeded, root, run } from './env.mjs';

reexecWithKeyringIfNeeded(resolve(root, 'scripts/bench.mjs'), process.argv.slice(2));
ensureDependencies();
ensureNodeNativeModules();

console.log('== matching: 100k × 100k against a naive all-pairs baseline ==');
mustRun('npx', ['tsx', 'scripts/bench-match.ts']);
console.log('\n== tieout match end to end: 100k PayTrace rows × 140k open invoices (built CLI vs read+parse floor) ==');
mustRun('npx', ['tsx', 'scripts/bench-match-cli.ts']);
console.log('\n== sync: the engine event loop during a 100k-payment sync (worker thread, incremental re-match) ==');
mustRun('npx', ['tsx', 'scripts/bench-sync-eventloop.ts']);
console.log('\n== posting: 1,000 receipts, fault-free vs 10% faults ==');
mustRun('npx', ['tsx', 'scripts/bench-posting.ts', '1000']);
console.log('\n== grid: 100,000 rows in Chromium (filter, sort) ==');
mustRun('npx', ['electron-vite', 'build']);
mustRun('node', ['scripts/build-engine.mjs']);
run('npx', ['playwright', 'test', 'test/e2e/grid-bench.spec.ts', '--reporter=list'], { env: { TIEOUT_BENCH: '1' } });
