import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { UserView } from '@shared/api/auth';
import type { RefundConflict } from '@shared/api/refunds';
import { cents } from '@shared/money';
import { createInboxService } from '../../electron/core/approval/inbox';
import { manualClock } from '../../electron/core/clock';
import { openStore, type Db } from '../../electron/core/store/db';
import { insertControlRequest, markControlDone, recordControlApproval } from '../../electron/core/store/queries/control-requests';
import { parkReversal, queueReversal, reversalOfControl } from '../../electron/core/store/queries/receipt-reversals';
import { saveRefundConflict } from '../../electron/core/store/queries/refund-conflicts';
import { insertRefundRequest, recordRefundApproval, rejectRefund } from '../../electron/core/store/queries/refund-requests';
import { approvedRefundIdsOnSettledSales } from '../../electron/core/store/queries/refund-sends';
import { upsertTransactions } from '../../electron/core/store/queries/transactions';
import { storedSale } from '../support/stored-sale';

// The approvals inbox on the store (SQLite here, a PostgreSQL workspace in the
// postgres run): only what still waits for a supervisor, every kind in one
// queue, oldest first; a clerk sees only their own requests.

const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

const supervisor: UserView = { userName: 'sue', displayName: 'Sue', role: 'supervisor', createdAt: '' };
const clerk: UserView = { userName: 'carl', displayName: 'Carl', role: 'clerk', createdAt: '' };
const T0 = Date.parse('2026-12-07T09:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function seeded() {
  const db = openStore(mkdtempSync(join(tmpdir(), 'tieout-inbox-')));
  open.push(db);
  upsertTransactions(db, [1, 2, 3, 4, 5, 6, 7, 8].map((id) => storedSale(id, { billingName: `Payer ${id}`, amountCents: cents(id * 10_000) })), at(0));
  const refund = (transactionId: number, amountCents: number, by: string, minute: number) =>
    insertRefundRequest(db, { transactionId, amountCents, currency: 'USD', reasonCode: 'Customer request', note: minute === 1 ? 'damaged' : '', requestedBy: by, requesterRole: by === 'carl' ? 'clerk' : 'supervisor', at: at(minute) });
  const control = (kind: 'write_off' | 'override' | 'reversal', transactionId: number, by: string, minute: number) =>
    insertControlRequest(db, { kind, transactionId, amountCents: 2_500, currency: 'USD', reasonCode: 'Short pay', note: '', detail: {}, state: 'requested', requestedBy: by, requesterRole: by === 'carl' ? 'clerk' : 'supervisor', at: at(minute) });

  const waiting = refund(1, 5_000, 'carl', 1);
  const held = refund(2, 7_000, 'sue', 3);
  recordRefundApproval(db, held, 'sam', 'supervisor', at(4));
  const conflict: RefundConflict = {
    kind: 'refundable_amount_changed',
    detail: 'Only $20.00 remains refundable.',
    detectedAt: at(5),
    then: { amountCents: cents(7_000), refundableCents: cents(20_000), asOf: at(3) },
    now: { saleType: 'SALE', saleAmountCents: cents(20_000), refundedCents: cents(18_000), refundableCents: cents(2_000), asOf: at(5) },
    choices: ['reduce', 'discard'],
  };
  saveRefundConflict(db, held, conflict);
  // Decided: approved without a conflict (running or waiting for settlement), rejected.
  recordRefundApproval(db, refund(3, 1_000, 'carl', 2), 'sue', 'supervisor', at(6));
  rejectRefund(db, refund(3, 500, 'carl', 2), 'sue', 'no', at(6));

  const writeOff = control('write_off', 4, 'carl', 0);
  const override = control('override', 5, 'carl', 7);
  const reversalAsked = control('reversal', 6, 'sue', 8);
  const reversalDead = control('reversal', 7, 'sue', 9);
  recordControlApproval(db, reversalDead, 'sam', 'supervisor', at(10));
  queueReversal(db, { controlId: reversalDead, transactionId: 7, reference: 'REV-7', receiptReference: '7', reason: 'Wrong customer', date: '2026-12-07', at: at(10) });
  parkReversal(db, reversalOfControl(db, reversalDead)!, 'dead', 'The ERP refused: period closed', at(11));
  // Decided: a write-off done.
  const done = control('write_off', 8, 'carl', 0);
  recordControlApproval(db, done, 'sue', 'supervisor', at(1));
  markControlDone(db, done, at(1));
  return { db, waiting, held, writeOff, override, reversalAsked, reversalDead };
}

describe('approvals inbox', () => {
  it('lists every kind still waiting for a supervisor, oldest first, with who asked, why and how long ago', () => {
    const s = seeded();
    const clock = manualClock(T0 + 90 * 60_000);
    const inbox = createInboxService({ db: s.db, clock });
    const { scope, items } = inbox.list(supervisor);
    expect(scope).toBe('all');
    expect(items.map((i) => [i.kind, i.key])).toEqual([
      ['write_off', `control:${s.writeOff}`],
      ['refund', `refund:${s.waiting}`],
      ['refund_conflict', `refund:${s.held}`],
      ['override', `control:${s.override}`],
      ['reversal', `control:${s.reversalAsked}`],
      ['reversal', `control:${s.reversalDead}`],
    ]);
    expect(items[1]).toEqual({
      kind: 'refund',
      key: `refund:${s.waiting}`,
      refundId: s.waiting,
      transactionId: 1,
      payer: 'Payer 1',
      amountCents: 5_000,
      currency: 'USD',
      requestedBy: 'carl',
      requestedAt: at(1),
      reason: 'Customer request: damaged',
      ageMinutes: 89,
      mine: false,
      needs: null,
    });
    expect(items[2]).toMatchObject({ kind: 'refund_conflict', refundId: s.held, detail: 'Only $20.00 remains refundable.', choices: ['reduce', 'discard'], mine: true });
    expect(items[4]).toMatchObject({ kind: 'reversal', stage: 'approval', detail: null, mine: true });
    expect(items[5]).toMatchObject({ kind: 'reversal', stage: 'failed', detail: 'The ERP refused: period closed', payer: 'Payer 7' });
    expect(inbox.counts(supervisor)).toEqual({ total: 6, byKind: { refund: 1, refund_conflict: 1, write_off: 1, override: 1, reversal: 2 }, refunds: 2, scope: 'all' });
  });

  it('a clerk follows only their own requests still waiting', () => {
    const s = seeded();
    const inbox = createInboxService({ db: s.db, clock: manualClock(T0) });
    const mine = inbox.list(clerk);
    expect(mine.scope).toBe('mine');
    expect(mine.items.map((i) => i.key)).toEqual([`control:${s.writeOff}`, `refund:${s.waiting}`, `control:${s.override}`]);
    expect(mine.items.every((i) => i.mine)).toBe(true);
    expect(inbox.counts(clerk)).toMatchObject({ total: 3, refunds: 1, scope: 'mine' });
  });

  it('an item leaves the inbox once decided', () => {
    const s = seeded();
    const inbox = createInboxService({ db: s.db, clock: manualClock(T0) });
    recordRefundApproval(s.db, s.waiting, 'sue', 'supervisor', at(20));
    recordControlApproval(s.db, s.writeOff, 'sue', 'supervisor', at(20));
    expect(inbox.counts(supervisor)).toMatchObject({ total: 4, refunds: 1, byKind: { refund: 0, write_off: 0 } });
  });
});

describe('refunds waiting for settlement', () => {
  it('only approved refunds without an open conflict whose sale has settled are run after a sync', () => {
    const s = seeded();
    // Approved, no conflict: refund on sale 3 (1_000). Approved with a conflict: on sale 2. Requested: on sale 1. Rejected: on sale 3.
    const approvedOn3 = (s.db.prepare("SELECT id FROM refund_requests WHERE transaction_id = 3 AND state = 'approved'").get() as { id: number }).id;
    expect(approvedRefundIdsOnSettledSales(s.db)).toEqual([]);
    s.db.prepare('UPDATE paytrace_transactions SET settled_at = ? WHERE transaction_id IN (1, 2, 3)').run(at(30));
    expect(approvedRefundIdsOnSettledSales(s.db)).toEqual([approvedOn3]);
  });
});
