import { expect, test, type Page } from '@playwright/test';
import { seedLargeStore } from './support/seed-store';
import { startHost, tempDataDir, type Host } from './support/processes';
import { signIn } from './support/sign-in';

// Benchmark mode only (npm run bench sets TIEOUT_BENCH=1): the work queue at
// 100,000 rows in Chromium, served in windows (grid:window). Each figure is
// measured from the action to the rows painted (the grid marks
// "tieout:grid-painted" on the frame after a window arrives); p95 of 20. The
// old whole-day read (grid:rows) is timed in the same run as the baseline.
// Prints figures and "name: value (target T) MEETS|SHORT" lines; asserts none.

test.skip(!process.env.TIEOUT_BENCH, 'benchmark mode only: run `npm run bench`');
test.setTimeout(600_000);

const N = 100_000;
const RUNS = 20;

let host: Host | null = null;
test.afterAll(async () => host?.proc.stop());

const verdict = (value: number, target: number) => (value <= target ? 'MEETS' : 'SHORT');
function p95(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length * 0.95) - 1]!;
}

/** Runs `act` in the page and resolves with the ms until the next window is painted. */
async function untilPainted(page: Page, act: string, arg: unknown): Promise<number> {
  return page.evaluate(
    async ([source, value]) => {
      const painted = () => performance.getEntriesByName('tieout:grid-painted');
      const t0 = performance.now();
      await (new Function('value', source) as (v: unknown) => unknown)(value);
      for (;;) {
        const last = painted().at(-1);
        if (last && last.startTime > t0) return last.startTime - t0;
        if (performance.now() - t0 > 30_000) return Number.POSITIVE_INFINITY;
        await new Promise((r) => setTimeout(r, 2));
      }
    },
    [act, arg] as const,
  );
}

const SORT = `globalThis.__tieoutGrid.applyColumnState({ state: [{ colId: value.col, sort: value.dir }], defaultState: { sort: null } });`;
const FILTER = `globalThis.__tieoutGrid.setFilterModel(value);`;
const TAB = `document.querySelector('[data-testid="tab-' + value + '"]').click();`;
// The search box as a clerk uses it: the text typed, then Enter (which skips the 150 ms typing debounce).
const SEARCH = `
  const box = document.querySelector('[data-testid="quick-filter"]');
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(box, value);
  box.dispatchEvent(new Event('input', { bubbles: true }));
  box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));`;

test('grid with 100,000 rows in windows: first rows, sort, filter, search, tab switch, heap', async ({ page }) => {
  const dataDir = tempDataDir();
  const seedStart = Date.now();
  seedLargeStore(dataDir, N);
  console.log(`grid: seeded ${N.toLocaleString('en-US')} rows into SQLite in ${Date.now() - seedStart} ms`);
  host = await startHost(dataDir);
  await page.goto(host.url);
  await page.evaluate(() => performance.setResourceTimingBufferSize(100_000));
  await signIn(page, 'clerk');
  await expect(page.locator('.ag-row[row-id]').first()).toBeVisible({ timeout: 60_000 });
  // The host's demo sync adds its week on top: wait until the count settles so no refresh lands inside a measurement.
  const allCount = async () => Number(await page.getByTestId('tab-all').getAttribute('data-count'));
  await expect.poll(allCount, { timeout: 60_000 }).toBeGreaterThanOrEqual(N);
  let settled = -1;
  await expect
    .poll(async () => {
      const was = settled;
      settled = await allCount();
      return was === settled;
    }, { timeout: 120_000, intervals: [3000] })
    .toBe(true);
  console.log(`grid: ${settled.toLocaleString('en-US')} rows in the store`);

  // Sign-in reply → the first window painted.
  const first = await page.evaluate(() => {
    const signIn = performance.getEntriesByType('resource').find((e) => e.name.includes('auth%3AsignIn') || e.name.includes('auth:signIn')) as PerformanceResourceTiming | undefined;
    const painted = performance.getEntriesByName('tieout:grid-painted')[0];
    return signIn && painted ? painted.startTime - signIn.responseEnd : null;
  });
  if (first !== null) console.log(`grid first rows after sign-in: ${first.toFixed(0)} ms (target ≤ 1000 ms) ${verdict(first, 1000)}`);
  else console.log('grid: could not find the sign-in reply or the first painted window in the page timeline');

  await page.getByTestId('tab-all').click();
  await expect(page.getByTestId('grid')).toHaveAttribute('data-row-count', String(settled));

  const samples: Record<string, number[]> = { sort: [], filter: [], search: [], 'tab switch': [] };
  const sorts = [
    { col: 'amount', dir: 'desc' },
    { col: 'payer', dir: 'asc' },
    { col: 'amount', dir: 'asc' },
    { col: 'createdAt', dir: 'desc' },
  ];
  for (let i = 0; i < RUNS; i++) samples.sort!.push(await untilPainted(page, SORT, sorts[i % sorts.length]));
  for (let i = 0; i < RUNS; i++) {
    // A new bound each time (no view is answered twice), then cleared every other run.
    const model = i % 2 === 0 ? { amount: { filterType: 'number', type: 'greaterThanOrEqual', filter: 1000 + i * 37 } } : {};
    samples.filter!.push(await untilPainted(page, FILTER, model));
  }
  const words = ['Cascade', 'amount>1000', 'status:review', 'Delta', 'payer:apex', 'amount<500', 'date:2026-11-05..2026-11-06', 'Bluewater', 'ref:20001', 'Evergreen'];
  for (let i = 0; i < RUNS; i++) samples.search!.push(await untilPainted(page, SEARCH, i % 2 === 0 ? words[(i / 2) % words.length] : ''));
  const tabs = ['auto', 'review', 'exception', 'all'];
  for (let i = 0; i < RUNS; i++) samples['tab switch']!.push(await untilPainted(page, TAB, tabs[i % tabs.length]));

  for (const [name, ms] of Object.entries(samples)) {
    console.log(`grid: ${name} samples (ms) ${ms.map((v) => v.toFixed(0)).join(' ')}`);
    console.log(`grid ${name} p95 of ${RUNS}: ${p95(ms).toFixed(0)} ms (target ≤ 100 ms) ${verdict(p95(ms), 100)}`);
  }

  // Scroll through a few thousand rows (windows come and go: the cache keeps a few blocks).
  await page.evaluate(async () => {
    const api = (globalThis as unknown as { __tieoutGrid: { ensureIndexVisible(i: number): void } }).__tieoutGrid;
    for (let i = 0; i <= 5000; i += 500) {
      api.ensureIndexVisible(i);
      await new Promise((r) => setTimeout(r, 60));
    }
  });

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
  const heapMb = heap.usedSize / 1048576;
  console.log(`grid renderer heap at 100k rows: ${heapMb.toFixed(1)} MB (target ≤ 200 MB) ${verdict(heapMb, 200)}`);

  const calls = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((e) => e.name.includes('grid%3Awindow') || e.name.includes('grid:window'))
      .map((e) => {
        const r = e as PerformanceResourceTiming;
        return { bytes: r.encodedBodySize, server: r.responseStart - r.requestStart, total: r.responseEnd - r.startTime };
      }),
  );
  const replies = calls.map((c) => c.bytes);
  // Where a window's time goes: the engine's answer (request sent → first byte) against the whole round trip.
  const server = calls.map((c) => c.server).sort((a, b) => a - b);
  console.log(`grid: grid:window engine time (request sent → first byte) median ${(server[Math.floor(server.length / 2)] ?? 0).toFixed(0)} ms, p95 ${p95(server).toFixed(0)} ms; round trip p95 ${p95(calls.map((c) => c.total)).toFixed(0)} ms`);
  const largestKb = Math.max(0, ...replies) / 1024;
  console.log(`grid: ${replies.length} grid:window replies`);
  console.log(`grid largest grid:window reply: ${largestKb.toFixed(0)} KB (target ≤ 1024 KB) ${verdict(largestKb, 1024)}`);

  // Baseline in the same run: the whole day in one reply, as the renderer read it before.
  const baseline = await page.evaluate(async () => {
    const t0 = performance.now();
    const r = await fetch('/api/call/grid%3Arows', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tieout-token': sessionStorage.getItem('tieout.token') ?? '' },
      body: '{}',
    });
    const text = await r.text();
    const rows = (JSON.parse(text) as { value: unknown[] }).value.length;
    return { ms: performance.now() - t0, bytes: text.length, rows };
  });
  const windowMs = p95(samples.sort!);
  console.log(`grid: baseline grid:rows (the whole day, as before) ${baseline.rows.toLocaleString('en-US')} rows, ${(baseline.bytes / 1048576).toFixed(1)} MB in ${baseline.ms.toFixed(0)} ms; a sorted window p95 ${windowMs.toFixed(0)} ms (${(baseline.ms / windowMs).toFixed(0)}× faster)`);
});
