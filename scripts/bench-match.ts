import { normalizeReference } from '@shared/reference';
import { createMatcher } from '../electron/core/matching/engine';
import { buildWorld, type World } from '../test/unit/matching-bench-world';
import { fingerprint } from '../test/unit/matching-fingerprint';

// npm run bench:match — prints figures, asserts nothing.
// Wall time on a shared 2-core machine swings with whatever else runs, so each
// figure is the best of a few runs, with the CPU time (user + system, all
// threads, GC included) beside it. Runs under tsx or bundled (esbuild → node):
// the matching code is the same JIT-compiled JavaScript either way, so the
// figures agree within noise (see docs/matching.md, "Performance").
// 1. 100,000 payments × 100,000 open invoices through the engine (time, heap, RSS).
// 2. A naive all-pairs matcher on 10,000 × 10,000 in the same process, and the
//    engine on the same 10k set: the ratio shows what the indexes buy.
// 3. Incremental: prepare() a 100,000-invoice store once, then match 1,000 new
//    payments against it (with the earlier payments as history and their
//    allocations as consumed), as after a sync.

/** Every payment against every invoice: what a matcher without indexes does. */
function naiveAllPairs(world: World): number {
  const refs = world.invoices.map((i) => normalizeReference(i.invoiceNo));
  let matched = 0;
  for (const t of world.transactions) {
    const ref = normalizeReference(t.invoiceId);
    let best = -1;
    let bestScore = 0;
    for (let j = 0; j < world.invoices.length; j++) {
      const inv = world.invoices[j]!;
      let score = 0;
      if (ref !== '' && refs[j] === ref) score += 6;
      if (inv.openBalanceCents === t.amountCents) score += 4;
      if (t.customerId !== '' && inv.customerId === t.customerId) score += 3;
      if (score > bestScore) { bestScore = score; best = j; }
    }
    if (best >= 0 && bestScore >= 9) matched++;
  }
  return matched;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

type Timed<T> = { ms: number; cpuMs: number; value: T };

function time<T>(fn: () => T): Timed<T> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const value = fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, value };
}

/** `first` plus `more` repeats; the best wall time wins. Only the last value is kept alive. */
function best<T>(first: Timed<T>, more: number, fn: () => T): Timed<T> & { all: number[] } {
  let top = first;
  const all = [first.ms];
  for (let i = 0; i < more; i++) {
    top.value = null as T; // let the previous result go before the next run
    const r = time(fn);
    all.push(r.ms);
    if (r.ms < top.ms) top = r;
    else top.value = r.value;
  }
  return { ...top, all };
}

const out = (s: string): boolean => process.stdout.write(`${s}\n`);
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
const matcher = createMatcher();

// Warm the JIT on a small set so the figures are steady-state.
const warm = buildWorld(5000, 5000, 3);
matcher({ ...warm });

const big = buildWorld(100_000, 100_000, 11);
const rssBefore = process.memoryUsage().rss;
const bigRun = (): ReturnType<typeof matcher> => matcher({ transactions: big.transactions, invoices: big.invoices, customers: big.customers });
const first = time(bigRun);
// Memory of one run, its outcomes still held.
const mem = process.memoryUsage();
const peakRss = process.resourceUsage().maxRSS * 1024;
const counts = { auto: 0, suggested: 0, exception: 0 };
for (const o of first.value) counts[o.status]++;
const decisions = fingerprint(first.value).decisions;
const run = best(first, runs - 1, bigRun);
out(`Engine 100,000 payments × 100,000 invoices: ${run.ms.toFixed(0)} ms best of ${runs} (${run.all.map((x) => x.toFixed(0)).join(' / ')}), CPU ${run.cpuMs.toFixed(0)} ms (target ≤ 2000 ms)`);
out(`  outcomes: ${counts.auto} auto, ${counts.suggested} suggested, ${counts.exception} exception; decisions ${decisions}`);
out(`  one run: heap used ${mb(mem.heapUsed)}, RSS ${mb(mem.rss)} (before run ${mb(rssBefore)}), peak RSS ${mb(peakRss)} (target ≤ 1 GB)`);

const small = buildWorld(10_000, 10_000, 5);
const naiveRun = (): number => naiveAllPairs(small);
const naive = best(time(naiveRun), runs - 1, naiveRun);
const smallRun = (): ReturnType<typeof matcher> => matcher({ transactions: small.transactions, invoices: small.invoices, customers: small.customers });
const engineSmall = best(time(smallRun), runs - 1, smallRun);
out(`Naive all-pairs 10,000 × 10,000: ${naive.ms.toFixed(0)} ms (${naive.value} matched)`);
out(`Engine          10,000 × 10,000: ${engineSmall.ms.toFixed(1)} ms → ${(naive.ms / engineSmall.ms).toFixed(0)}× faster; naive extrapolated to 100k × 100k ≈ ${((naive.ms * 100) / 1000).toFixed(0)} s`);

// Incremental: the store holds the 100k invoices; 99,000 earlier payments are
// history (their allocations consumed); a sync brings 1,000 new payments for
// the remaining open invoices.
const earlier = big.transactions.slice(0, 99_000);
const consumed = (run.value ?? bigRun())
  .slice(0, 99_000)
  .filter((o) => o.status === 'auto')
  .flatMap((o) => o.allocations.map((a) => ({ invoiceNo: a.invoiceNo, amountCents: a.amountCents })));
const prep = time(() => matcher.prepare({ invoices: big.invoices, customers: big.customers, consumed, history: earlier }));
const fresh = big.transactions.slice(99_000).map((t, i) => ({ ...t, transactionId: 800000001 + i, createdAt: new Date(Date.UTC(2025, 2, 10) + i * 1000).toISOString() }));
const inc = time(() => prep.value.match(fresh));
const incRun = (): ReturnType<typeof matcher> => prep.value.match(fresh);
const again = best(time(incRun), runs - 1, incRun);
out(
  `Incremental: prepare(100,000 invoices, 99,000 history rows) ${prep.ms.toFixed(0)} ms once; then 1,000 new payments: ${inc.ms.toFixed(1)} ms first, ${again.ms.toFixed(1)} ms best of ${runs} after (target ≤ 200 ms)`,
);

// Summary lines, gathered by scripts/bench.mjs into its closing table.
const verdict = (value: number, limit: number): string => (value <= limit ? 'MEETS' : 'SHORT');
out(`match 100k×100k engine: ${run.ms.toFixed(0)} ms (target ≤ 2000 ms) ${verdict(run.ms, 2000)}`);
out(`match 100k×100k peak RSS: ${mb(peakRss)} (target ≤ 1 GB) ${verdict(peakRss, 1024 ** 3)}`);
out(`match vs naive all-pairs (10k×10k): ${(naive.ms / engineSmall.ms).toFixed(1)}× faster (target ≥ 1×) ${naive.ms >= engineSmall.ms ? 'MEETS' : 'SHORT'}`);
out(`match 1k incremental after prepare(): ${again.ms.toFixed(1)} ms (target ≤ 200 ms) ${verdict(again.ms, 200)}`);
