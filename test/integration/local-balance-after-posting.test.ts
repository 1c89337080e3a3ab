import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlView } from '@shared/api/controls';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import type { Engine } from '../../electron/core/engine';
import { gridRows } from '../../electron/core/store/queries/matches';
import { ledgerInvoice } from '../../electron/core/store/queries/ledger';
import { openTestEngine, signedInCalls } from './support/engine';

// A write-off (or a receipt) that closes an invoice shows on the invoice as
// soon as the ERP confirms the receipt, not at the next sync: the grid's ERP
// balance and the matcher's candidates read the local invoice.

const PASSWORD = 'tieout-demo-pass';
let demo: RunningDemo;
let engine: Engine;
const { ok, signIn } = signedInCalls(() => engine);

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 21 });
  engine = await openTestEngine(demo.descriptor, { shell: 'web' });
  await engine.sync.runOnce();
  await signIn(['clerk', 'admin'], PASSWORD);
  await ok('admin', 'controls:setPolicy', { approvalAboveCents: 2_500 });
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

describe('local invoice balance after posting', () => {
  it('a written-off short pay closes its invoice locally when the receipt posts (was: the old balance until the next sync)', async () => {
    const row = gridRows(engine.db)
      .filter((r) => r.status === 'exception' && r.exception === 'short_payment' && r.matchedInvoices.length === 1 && r.differenceCents !== null && r.differenceCents < 0 && -r.differenceCents <= 2_500)
      .sort((a, b) => a.transactionId - b.transactionId)[0];
    expect(row, 'the demo data has a single-invoice short pay within the clerk limit').toBeDefined();
    const invoiceNo = row!.matchedInvoices[0]!;
    const before = ledgerInvoice(engine.db, invoiceNo)!;
    expect(before.openBalanceCents).toBe(row!.amountCents - row!.differenceCents!);

    const v = await ok<ControlView>('clerk', 'controls:requestWriteOff', { transactionId: row!.transactionId, reasonCode: 'Small balance' });
    expect(v.state).toBe('done');
    await engine.worker.drain();
    await engine.worker.drain();

    const posted = gridRows(engine.db, [row!.transactionId])[0]!;
    expect(posted.status).toBe('posted');
    // Paid and written off: nothing left open, at once.
    expect(ledgerInvoice(engine.db, invoiceNo)).toMatchObject({ openBalanceCents: 0, isOpen: false });
    expect(posted.openBalanceCents).toBe(0);
    // The ERP agrees: a sync leaves it closed.
    await engine.sync.runOnce();
    expect(ledgerInvoice(engine.db, invoiceNo)).toMatchObject({ openBalanceCents: 0, isOpen: false });
  });

  it('an approved exact payment brings its invoice to 0 locally when the receipt posts; the posted row shows ERP balance 0 and difference 0', async () => {
    const row = gridRows(engine.db)
      .filter((r) => r.status === 'auto' && r.matchedInvoices.length === 1 && r.differenceCents === 0)
      .sort((a, b) => a.transactionId - b.transactionId)[0];
    expect(row).toBeDefined();
    const invoiceNo = row!.matchedInvoices[0]!;
    expect(ledgerInvoice(engine.db, invoiceNo)!.openBalanceCents).toBe(row!.amountCents);
    await ok('clerk', 'matches:approve', { transactionIds: [row!.transactionId] });
    await engine.worker.drain();
    expect(ledgerInvoice(engine.db, invoiceNo)).toMatchObject({ openBalanceCents: 0, isOpen: false });
    expect(gridRows(engine.db, [row!.transactionId])[0]).toMatchObject({ status: 'posted', openBalanceCents: 0, differenceCents: 0 });
  });
});
