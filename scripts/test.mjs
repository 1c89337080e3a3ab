// `npm test`: the whole suite — type checks and build, ESLint (the rules and
// the architecture's boundaries, eslint.config.mjs), Vitest (unit, integration,
// ERP conformance), then Playwright end to end in Chromium.
// Prints one closing line "tests: N passed, N failed, N skipped".
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureDependencies, ensureNodeNativeModules, ensurePostgresBinaries, reexecWithKeyringIfNeeded, root, run } from './env.mjs';

const args = process.argv.slice(2);
reexecWithKeyringIfNeeded(resolve(root, 'scripts/test.mjs'), args);
ensureDependencies();
ensureNodeNativeModules();
await ensurePostgresBinaries();

const results = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

if (run('npm', ['run', 'build']) !== 0) {
  console.error('\nBuild or type check failed.');
  console.log('tests: 0 passed, 1 failed');
  process.exit(1);
}

// ESLint: errors only (--quiet; `npm run lint` also shows the warnings). A lint error counts as one failed test.
const lintStatus = run('npm', ['run', '-s', 'lint', '--', '--quiet']);
if (lintStatus !== 0) failures.push('eslint reported errors (above)');
else console.log('eslint: no errors');

const reports = mkdtempSync(join(tmpdir(), 'tieout-test-'));

// Vitest: unit, integration, conformance on SQLite; the engine suite again on PostgreSQL (vitest.config.mts projects).
const vitestJson = join(reports, 'vitest.json');
const vitestStatus = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
if (existsSync(vitestJson)) {
  const r = JSON.parse(readFileSync(vitestJson, 'utf8'));
  results.passed += r.numPassedTests ?? 0;
  results.failed += r.numFailedTests ?? 0;
  results.skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  if ((r.numFailedTests ?? 0) === 0 && vitestStatus !== 0) failures.push('vitest exited non-zero (a suite failed to load)');
} else if (vitestStatus !== 0) failures.push('vitest did not report');

// Playwright end to end in Chromium.
const pwJson = join(reports, 'playwright.json');
const pwStatus = run('npx', ['playwright', 'test', '--reporter=list,json'], { env: { PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson } });
if (existsSync(pwJson)) {
  const r = JSON.parse(readFileSync(pwJson, 'utf8'));
  const s = r.stats ?? {};
  results.passed += (s.expected ?? 0) + (s.flaky ?? 0);
  results.failed += s.unexpected ?? 0;
  results.skipped += s.skipped ?? 0;
  if ((s.unexpected ?? 0) === 0 && pwStatus !== 0) failures.push('playwright exited non-zero');
} else if (pwStatus !== 0) failures.push('playwright did not report');

if (failures.length) {
  results.failed += failures.length;
  for (const f of failures) console.error(`FAILED: ${f}`);
}
console.log(`\ntests: ${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped`);
process.exit(results.failed > 0 ? 1 : 0);
