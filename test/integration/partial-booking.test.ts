import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../electron/core/engine';
import { openTestEngine } from './support/engine';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import { gridRows } from '../../electron/core/store/queries/matches';
import { approveMatches } from '../../electron/core/approval/approve';
import { outboxFor } from '../../electron/core/store/queries/outbox';
import { parseReceiptPayload } from '../../electron/core/store/queries/outbox-payloads';
import { exportReceipt } from '../../electron/core/erp/file/export';
import { cents } from '../../shared/money';
import type { ReceiptRequest } from '../../electron/core/erp/connector';

// A receipt the ERP holds differently from what Tieout sent (a line short, a
// line missing) is a partial booking: the outbox never records it as posted,
// whether the look-up before a retry finds it or the connector's own look-up
// before a first send does. The File ERP's read-back is the exported file, so
// a file written one cent short stands in for any ERP's partial booking.

let demo: RunningDemo;
let engine: Engine;

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'file', seed: 13, payments: 60 });
  engine = await openTestEngine(demo.descriptor);
  await engine.sync.runOnce();
});
afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

/** What the ERP holds: the receipt with its first line one cent short. */
function shortByOneCent(r: ReceiptRequest): ReceiptRequest {
  const [first, ...rest] = r.allocations;
  return { ...r, amountCents: cents(r.amountCents - 1), allocations: [{ ...first!, amountCents: cents(first!.amountCents - 1) }, ...rest] };
}

async function bookPartially(transactionId: number): Promise<ReceiptRequest> {
  const row = outboxFor(engine.db, transactionId)!;
  const sent = parseReceiptPayload(row.payload_json);
  const held = shortByOneCent(sent);
  const folder = join(demo.descriptor.erp.baseUrl, String(demo.descriptor.erp.options['outputFolder'] ?? 'receipts'));
  await exportReceipt(folder, 'csv', held, held.allocations.map((a) => ({ invoiceNo: a.invoiceNo, amountCents: a.amountCents, discountCents: cents(0), writeOffCents: cents(0), writeOffReason: '' })));
  return sent;
}

describe('a partial booking is never recorded as posted', () => {
  it('dead-letters, naming the difference, whether found by the retry look-up or by the first send', async () => {
    const [retried, firstSend] = gridRows(engine.db).filter((r) => r.status === 'auto' && r.amountCents > 100);
    expect(retried && firstSend).toBeTruthy();
    approveMatches(engine.db, [retried!.transactionId, firstSend!.transactionId], 'clerk', 'America/Los_Angeles');

    // The first was sent before and its reply was lost: the next attempt starts with the look-up.
    const sent = await bookPartially(retried!.transactionId);
    engine.db.prepare("UPDATE outbox SET state = 'unknown_outcome', attempts = 1 WHERE transaction_id = ?").run(retried!.transactionId);
    // The second was never sent, but the ERP already holds a partial booking of it (another workstation, a hand entry).
    await bookPartially(firstSend!.transactionId);

    await engine.worker.drain();

    for (const id of [retried!.transactionId, firstSend!.transactionId]) {
      const row = outboxFor(engine.db, id)!;
      expect(row.state, `outbox state of ${id}`).toBe('dead');
      expect(row.last_error).toMatch(/^Partial booking: the ERP holds receipt receipt-\d+\.csv for PayTrace \d+, but .*instead of/);
      expect(gridRows(engine.db, [id])[0]!.status).not.toBe('posted');
    }
    expect(outboxFor(engine.db, retried!.transactionId)!.last_error).toContain(sent.allocations[0]!.invoiceNo);
    const failed = engine.db.prepare("SELECT COUNT(*) AS n FROM audit WHERE action = 'posting.failed' AND object_id IN (?, ?)").get(String(retried!.transactionId), String(firstSend!.transactionId)) as { n: number };
    expect(failed.n).toBe(2);
  });
});
