import { cents, type Cents } from '@shared/money';
import type { Customer, OpenInvoice, PayTraceTransaction } from '@shared/domain';
import { normalizeReference } from '@shared/reference';
import { createMatcher } from '../electron/core/matching/engine';

// npm run bench:match — prints figures, asserts nothing.
// 1. 100,000 payments × 100,000 open invoices through the engine (time, heap, RSS).
// 2. A naive all-pairs matcher on 10,000 × 10,000 in the same process, and the
//    engine on the same 10k set: the ratio shows what the indexes buy.
// 3. Incremental: prepare() a 100,000-invoice store once, then match 1,000 new
//    payments against it (with the earlier payments as history and their
//    allocations as consumed), as after a sync.

function rng(seed: number) {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type World = { customers: Customer[]; invoices: OpenInvoice[]; transactions: PayTraceTransaction[] };

function buildWorld(invoiceCount: number, paymentCount: number, seed: number, firstTxn = 700000001, firstPaid = 0): World {
  const next = rng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  const customerCount = Math.max(10, Math.round(invoiceCount / 10));
  const customers: Customer[] = Array.from({ length: customerCount }, (_, i) => ({
    customerId: `C${100000 + i}`,
    name: `Customer ${i} ${['Plumbing', 'Electric', 'Supply', 'Builders'][i % 4]} Inc.`,
    contacts: [`Contact ${i} Person`],
  }));
  const invoices: OpenInvoice[] = Array.from({ length: invoiceCount }, (_, i) => {
    const amount = cents(int(20, 9000) * 100 + int(0, 99));
    return {
      invoiceNo: String(2000000 + i),
      customerId: customers[i % customerCount]!.customerId,
      customerName: customers[i % customerCount]!.name,
      invoiceDate: '2025-01-15',
      dueDate: '2025-02-14',
      amountCents: amount,
      openBalanceCents: amount,
      currency: 'USD',
      poNo: `PO${900000 + i}`,
    };
  });
  const transactions: PayTraceTransaction[] = [];
  for (let k = 0; k < paymentCount; k++) {
    const inv = invoices[(firstPaid + k) % invoiceCount]!;
    const c = customers[(firstPaid + k) % invoiceCount % customerCount]!;
    const roll = next();
    let invoiceId = inv.invoiceNo;
    let amount: Cents = inv.openBalanceCents;
    let customerReferenceId = '';
    if (roll < 0.1) invoiceId = `INV-${inv.invoiceNo}`;
    else if (roll < 0.15) (invoiceId = ''), (customerReferenceId = inv.poNo);
    else if (roll < 0.2) invoiceId = '';
    else if (roll < 0.23) amount = cents(amount - 100);
    else if (roll < 0.25) invoiceId = inv.invoiceNo.slice(0, -1) + String((Number(inv.invoiceNo.slice(-1)) + 1) % 10);
    transactions.push({
      transactionId: firstTxn + k,
      type: 'SALE',
      amountCents: amount,
      currency: 'USD',
      taxCents: null,
      createdAt: new Date(Date.UTC(2025, 1, 1) + k * 20_000).toISOString(),
      settledAt: null,
      declined: roll > 0.98,
      approvalCode: 'A1',
      approvalMessage: 'Approved',
      invoiceId,
      description: '',
      customerReferenceId,
      customerId: next() < 0.5 ? c.customerId : '',
      billingName: next() < 0.5 ? c.name : 'Card Holder',
      email: '',
      maskedCard: `************${int(1000, 9999)}`,
      method: 'card',
      raw: null,
    });
  }
  return { customers, invoices, transactions };
}

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
      if (score > bestScore) (bestScore = score), (best = j);
    }
    if (best >= 0 && bestScore >= 9) matched++;
  }
  return matched;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const start = process.hrtime.bigint();
  const value = fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

const out = (s: string): boolean => process.stdout.write(`${s}\n`);
const matcher = createMatcher();

// Warm the JIT on a small set so the figures are steady-state.
const warm = buildWorld(5000, 5000, 3);
matcher({ ...warm });

const big = buildWorld(100_000, 100_000, 11);
const rssBefore = process.memoryUsage().rss;
const run = time(() => matcher({ transactions: big.transactions, invoices: big.invoices, customers: big.customers }));
const mem = process.memoryUsage();
const counts = { auto: 0, suggested: 0, exception: 0 };
for (const o of run.value) counts[o.status]++;
out(`Engine 100,000 payments × 100,000 invoices: ${run.ms.toFixed(0)} ms (target ≤ 2000 ms)`);
out(`  outcomes: ${counts.auto} auto, ${counts.suggested} suggested, ${counts.exception} exception`);
out(`  heap used ${mb(mem.heapUsed)}, RSS ${mb(mem.rss)} (before run ${mb(rssBefore)}), peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} (target ≤ 1 GB)`);

const small = buildWorld(10_000, 10_000, 5);
const naive = time(() => naiveAllPairs(small));
const engineSmall = time(() => matcher({ transactions: small.transactions, invoices: small.invoices, customers: small.customers }));
out(`Naive all-pairs 10,000 × 10,000: ${naive.ms.toFixed(0)} ms (${naive.value} matched)`);
out(`Engine          10,000 × 10,000: ${engineSmall.ms.toFixed(1)} ms → ${(naive.ms / engineSmall.ms).toFixed(0)}× faster; naive extrapolated to 100k × 100k ≈ ${((naive.ms * 100) / 1000).toFixed(0)} s`);

// Incremental: the store holds the 100k invoices; 99,000 earlier payments are
// history (their allocations consumed); a sync brings 1,000 new payments for
// the remaining open invoices.
const earlier = big.transactions.slice(0, 99_000);
const consumed = run.value
  .slice(0, 99_000)
  .filter((o) => o.status === 'auto')
  .flatMap((o) => o.allocations.map((a) => ({ invoiceNo: a.invoiceNo, amountCents: a.amountCents })));
const prep = time(() => matcher.prepare({ invoices: big.invoices, customers: big.customers, consumed, history: earlier }));
const fresh = big.transactions.slice(99_000).map((t, i) => ({ ...t, transactionId: 800000001 + i, createdAt: new Date(Date.UTC(2025, 2, 10) + i * 1000).toISOString() }));
const inc = time(() => prep.value.match(fresh));
const inc2 = time(() => prep.value.match(fresh));
out(`Incremental: prepare(100,000 invoices, 99,000 history rows) ${prep.ms.toFixed(0)} ms once; then 1,000 new payments: ${inc.ms.toFixed(1)} ms (again: ${inc2.ms.toFixed(1)} ms) (target ≤ 200 ms)`);
