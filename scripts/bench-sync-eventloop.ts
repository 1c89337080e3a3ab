// The engine's event loop during a 100k-payment sync (issue 10, item 6): a real
// store (better-sqlite3 in a temp folder), the real SyncService with its match
// runner (worker thread, incremental), PayTrace and ERP replaced by in-memory
// sources (network time and JSON parsing of replies are not in this figure; the
// PayTrace client reads day-sized chunks). Measured with
// perf_hooks.monitorEventLoopDelay: the longest the loop was held, and p99.
// Prints figures; asserts nothing.
//
//   npx tsx scripts/bench-sync-eventloop.ts [--payments 100000] [--invoices 140000]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Customer, OpenInvoice, PayTraceTransaction } from '@shared/domain';
import { cents } from '@shared/money';
import { defaultSettings } from '@shared/settings';
import type { ErpConnector } from '../electron/core/erp/connector';
import { createLogger } from '../electron/core/log/logger';
import { createMatcher } from '../electron/core/matching/engine';
import { openStore } from '../electron/core/store/db';
import { createMatchRunner } from '../electron/core/sync/match-runner';
import { SyncService } from '../electron/core/sync/sync-service';
import { buildWorld } from '../test/unit/matching-bench-world';

const { values } = parseArgs({ options: { payments: { type: 'string', default: '100000' }, invoices: { type: 'string', default: '140000' } } });
const PAYMENTS = Number(values.payments);
const INVOICES = Number(values.invoices);

/** A raw export row beside the normalised fields, as the store keeps it. */
function withRaw(t: PayTraceTransaction): PayTraceTransaction {
  return {
    ...t,
    raw: {
      transaction_id: t.transactionId,
      credit_card: { masked_number: t.maskedCard, expiration_month: 12, expiration_year: 29 },
      transaction_type: t.type,
      description: t.description,
      amount: (t.amountCents / 100).toFixed(2),
      invoice_id: t.invoiceId,
      billing_address: { name: t.billingName, street_address: '8320 E. West St.', city: 'Spokane', state: 'WA', zip: '99201', country: 'US' },
      tax_amount: '',
      customer_reference_id: t.customerReferenceId,
      approval_code: t.approvalCode,
      approval_message: t.approvalMessage,
      created: { through: 'API', at: t.createdAt, by: 'ar-clerk', from_ip: '64.106.246.164' },
      settled: '',
      customer_id: t.customerId,
    },
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tieout-bench-sync-'));
  const db = openStore(dir);
  const world = buildWorld(INVOICES, PAYMENTS, 1);
  const state: { transactions: PayTraceTransaction[]; invoices: OpenInvoice[]; customers: Customer[] } = {
    transactions: world.transactions.map(withRaw),
    invoices: world.invoices,
    customers: world.customers,
  };
  const settings = defaultSettings();
  const erp = {
    async *listCustomers() {
      for (let i = 0; i < state.customers.length; i += 5000) yield state.customers.slice(i, i + 5000);
    },
    async *listOpenInvoices() {
      for (let i = 0; i < state.invoices.length; i += 5000) yield state.invoices.slice(i, i + 5000);
    },
  } as unknown as ErpConnector;
  const logger = createLogger('bench-sync', (line) => console.log(`  ${line}`));
  const runner = createMatchRunner({ db, logger: logger.child('matching') });
  const sync = new SyncService({
    db,
    settings: () => settings,
    paytrace: async () => ({ exportByDateRange: async () => ({ transactions: state.transactions, malformed: [] }) }),
    erp: async () => erp,
    matcher: () => createMatcher(),
    matchRunner: runner,
    logger: logger.child('sync'),
  });

  const runs: Array<{ label: string; maxMs: number; p99Ms: number; wallMs: number }> = [];
  const measure = async (label: string): Promise<void> => {
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    const t = performance.now();
    const status = await sync.runOnce();
    const wallMs = performance.now() - t;
    h.disable();
    if (status.lastError) throw new Error(status.lastError);
    const r = sync.lastRematch!;
    const run = { label, maxMs: h.max / 1e6, p99Ms: h.percentile(99) / 1e6, wallMs };
    runs.push(run);
    console.log(
      `${label}: ${(wallMs / 1000).toFixed(2)} s; re-matched ${r.rematched} of ${r.pending} (${r.mode}${r.fullBecause ? `: ${r.fullBecause}` : ''}) in ${runner.mode()}; event loop max ${run.maxMs.toFixed(1)} ms, p99 ${run.p99Ms.toFixed(1)} ms`,
    );
  };

  try {
    console.log(`${PAYMENTS.toLocaleString('en-US')} payments × ${INVOICES.toLocaleString('en-US')} open invoices, store in ${dir}`);
    await measure('sync 1 (everything new)');
    // The next sync: 1,000 new payments, 500 invoices with a new balance.
    const more = buildWorld(INVOICES, 1000, 2, 900000001, PAYMENTS).transactions.map(withRaw);
    state.transactions = [...state.transactions, ...more];
    state.invoices = state.invoices.map((i, k) => (k % 280 === 0 ? { ...i, openBalanceCents: cents(Math.max(0, i.openBalanceCents - 500)) } : i));
    await measure('sync 2 (1,000 new payments, 500 balances changed)');
    await measure('sync 3 (nothing new)');
    const max = Math.max(...runs.map((r) => r.maxMs));
    const p99 = Math.max(...runs.map((r) => r.p99Ms));
    console.log(`sync 100k event-loop p99: ${p99.toFixed(1)} ms`);
    console.log(`sync 100k event-loop max block: ${max.toFixed(0)} ms (target ≤ 100 ms) ${max <= 100 ? 'MEETS' : 'SHORT'}`);
  } finally {
    await runner.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
