import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPreview, ControlView } from '@shared/api/controls';
import { auditFor } from '../../electron/core/audit/audit-log';
import { runDemoSandboxes, type RunningDemo } from '../../electron/sandboxes/demo/demo-sandboxes';
import type { Engine } from '../../electron/core/engine';
import { gridRows } from '../../electron/core/store/queries/matches';
import { openTestEngine } from './support/engine';
import { signedInCalls } from './support/engine';

// Regression: a short pay the matcher flags as a `short_payment` exception,
// while carrying its allocation, is the write-off's own case. The request was
// accepted, but the approval then refused it ("Exceptions need an allocation
// before they can be approved") and the control ended failed after the
// supervisor had approved it. The request now confirms the allocation, so
// the approved write-off posts once with the receipt.

const PASSWORD = 'tieout-demo-pass';
let demo: RunningDemo;
let engine: Engine;
const { ok, signIn } = signedInCalls(() => engine);

type SbxReceipt = { checkNumber: string; amountCents: number; lines: Array<{ invoiceNo: string; amountCents: number; allowedCents?: number }> };
const receiptsFor = async (ref: string): Promise<SbxReceipt[]> =>
  ((await axios.post(`${demo.descriptor.erp.baseUrl}/__control/receipts`, {})).data as { receipts: SbxReceipt[] }).receipts.filter((r) => r.checkNumber === ref);

/** Short-pay exceptions as the matcher left them (no clerk allocation), lowest id first. */
function shortPayExceptions(minShort: number, maxShort: number) {
  return gridRows(engine.db)
    .filter((r) => r.status === 'exception' && r.exception === 'short_payment' && r.differenceCents !== null && -r.differenceCents >= minShort && -r.differenceCents <= maxShort)
    .sort((a, b) => a.transactionId - b.transactionId);
}

beforeAll(async () => {
  demo = await runDemoSandboxes({ erpKind: 'p21', seed: 21 });
  engine = await openTestEngine(demo.descriptor, { shell: 'web' });
  await engine.sync.runOnce();
  await signIn(['clerk', 'supervisor', 'admin'], PASSWORD);
  // The documented default clerk limit, set explicitly so the test does not depend on it.
  await ok('admin', 'controls:setPolicy', { approvalAboveCents: 2_500 });
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await demo?.close();
});

describe('write-off of a short-payment exception', () => {
  it('above the limit: the supervisor approval posts the receipt once with the write-off (was: control failed)', async () => {
    const row = shortPayExceptions(2_501, 49_999)[0];
    expect(row, 'the demo data has a short-payment exception above the clerk limit').toBeDefined();
    const id = row!.transactionId;
    const pv = await ok<ControlPreview>('clerk', 'controls:preview', { transactionId: id });
    expect(pv).toMatchObject({ needsApproval: true, erpTakesWriteOffs: true, writeOffCents: -(row!.differenceCents ?? 0) });

    const v = await ok<ControlView>('clerk', 'controls:requestWriteOff', { transactionId: id, reasonCode: 'Customer dispute' });
    expect(v.state).toBe('requested');
    // The request confirmed the matcher's allocation: the row now waits as a suggestion, not an exception.
    expect(gridRows(engine.db, [id])[0]).toMatchObject({ status: 'review', control: 'approval_pending' });

    const approved = await ok<ControlView>('supervisor', 'controls:approve', { controlId: v.id, password: PASSWORD });
    expect(approved).toMatchObject({ state: 'done', lastError: null, approvals: [{ by: 'supervisor' }] });
    await engine.worker.drain();
    await engine.worker.drain();
    const posted = await receiptsFor(String(id));
    expect(posted).toHaveLength(1);
    expect(posted[0]!.lines).toEqual([{ invoiceNo: pv.writeOffs[0]!.invoiceNo, amountCents: row!.amountCents, allowedCents: pv.writeOffCents }]);
    const actions = auditFor(engine.db, 'transaction', String(id)).map((a) => `${a.action}:${a.actor}`);
    expect(actions).toEqual(expect.arrayContaining(['match.allocate:clerk', 'control.write_off.requested:clerk', 'control.write_off.approved:supervisor', 'match.approve:clerk']));
  });

  it('within the limit: the clerk write-off of a short-payment exception is done at once', async () => {
    const row = shortPayExceptions(1, 2_500)[0];
    expect(row, 'the demo data has a short-payment exception within the clerk limit').toBeDefined();
    const v = await ok<ControlView>('clerk', 'controls:requestWriteOff', { transactionId: row!.transactionId, reasonCode: 'Small balance' });
    expect(v).toMatchObject({ state: 'done', lastError: null, approvals: [] });
    expect(gridRows(engine.db, [row!.transactionId])[0]?.status).toMatch(/approved|posted/);
  });
});
