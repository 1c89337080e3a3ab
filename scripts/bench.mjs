// `npm run bench`: figures, with ratios against baselines measured in the same run.
// Not part of `npm test`; nothing here asserts a timing.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { ensureDependencies, ensureNodeNativeModules, ensurePostgresBinaries, mustRun, reexecWithKeyringIfNeeded, root } from './env.mjs';

reexecWithKeyringIfNeeded(resolve(root, 'scripts/bench.mjs'), process.argv.slice(2));
ensureDependencies();
ensureNodeNativeModules();

// Each section's "name: value (target T) MEETS|SHORT" lines are gathered for the closing table.
const SUMMARY_LINE = /^\s*([^:]+: .+\(target [^)]+\) (?:MEETS|SHORT))\s*$/;
const summary = [];

/** Runs a section with its output shown as it comes and its summary lines kept. */
function section(cmd, args, { env = {}, required = true } = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, ...env } });
  if (r.error) throw r.error;
  process.stdout.write(r.stdout ?? '');
  for (const line of (r.stdout ?? '').split('\n')) {
    const m = SUMMARY_LINE.exec(line);
    if (m) summary.push(m[1]);
  }
  if (required && r.status !== 0) {
    console.error(`\n${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
    process.exit(r.status ?? 1);
  }
}

console.log('== matching: 100k × 100k against a naive all-pairs baseline ==');
section('npx', ['tsx', 'scripts/bench-match.ts']);
console.log('\n== tieout match end to end: 100k PayTrace rows × 140k open invoices (built CLI vs read+parse floor) ==');
section('npx', ['tsx', 'scripts/bench-match-cli.ts']);
console.log('\n== sync: the engine event loop during a 100k-payment sync (worker thread, incremental re-match) ==');
section('npx', ['tsx', 'scripts/bench-sync-eventloop.ts']);
console.log('\n== posting: 1,000 receipts, fault-free vs 10% faults ==');
section('npx', ['tsx', 'scripts/bench-posting.ts', '1000']);
console.log('\n== team: 10 workstations reviewing 100k payments on one PostgreSQL workspace (vs one SQLite store) ==');
await ensurePostgresBinaries();
console.log('\n== approval preview: the whole Auto view of 100k rows, SQLite and PostgreSQL (SQL aggregates vs every row built in JS) ==');
section('npx', ['tsx', 'scripts/bench-preview.ts']);
section('npx', ['tsx', 'scripts/bench-team.ts']);
console.log('\n== grid SQL: windows, tab counts and selection totals at 100k rows vs the whole-grid read ==');
section('npx', ['tsx', 'scripts/bench-grid-sql.ts', '100000']);
console.log('\n== grid: 100,000 rows in Chromium, served in windows (first rows, sort, filter, search, tab switch, heap) ==');
mustRun('npx', ['electron-vite', 'build']);
mustRun('node', ['scripts/build-engine.mjs']);
section('npx', ['playwright', 'test', 'test/e2e/grid-bench.spec.ts', '--reporter=list'], { env: { TIEOUT_BENCH: '1' }, required: false });

console.log('\n== summary ==');
for (const line of summary) console.log(line);
