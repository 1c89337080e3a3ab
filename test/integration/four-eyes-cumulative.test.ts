import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CallContext } from '@shared/api-contract';
import type { Role } from '@shared/api/auth';
import type { PayTraceTransaction } from '@shared/domain';
import { cents } from '@shared/money';
import { createAuthService } from '../../electron/core/auth/auth-service';
import { hashPassword } from '../../electron/core/auth/password';
import { manualClock } from '../../electron/core/clock';
import type { RefundExecutor } from '../../electron/core/refunds/executor';
import { saveRefundPolicy, DEFAULT_REFUND_POLICY } from '../../electron/core/refunds/policy';
import { createRefundService } from '../../electron/core/refunds/refund-service';
import { openStore } from '../../electron/core/store/db';
import { insertControlRequest } from '../../electron/core/store/queries/control-requests';
import { upsertTransactions } from '../../electron/core/store/queries/transactions';
import { insertUser } from '../../electron/core/store/queries/users';
import { storedSale } from '../support/stored-sale';

// Four-eyes limits are cumulative (issue 12, point 1): a supervisor once
// refunded $1,030.25 of one sale alone as three self-approved requests of
// $500.00 + $500.00 + $30.25, because the $500.00 self-approval limit applied
// per request. Real SQLite file, real auth service (password re-entry), the
// real refund service; only PayTrace execution is left out (the approvals are
// what is tested; an approved refund already counts against the sale).

const FAST = { N: 2 ** 12, r: 8, p: 1 };
const PASSWORD = 'a-long-enough-password';
const ZONE = 'America/Los_Angeles';

function sale(id: number, amountCents: number): PayTraceTransaction {
  return storedSale(id, {
    amountCents: cents(amountCents),
    createdAt: '2026-01-05T17:00:00.000Z',
    settledAt: '2026-01-05T20:00:00.000Z',
    invoiceId: `INV-${id}`,
    customerReferenceId: `C${id}`,
    customerId: `C${id}`,
    billingName: `Payer ${id}`,
  });
}

async function setUp() {
  const db = openStore(mkdtempSync(join(tmpdir(), 'tieout-four-eyes-')));
  // 10:00 in Los Angeles on a Monday.
  const clock = manualClock(Date.parse('2026-01-05T18:00:00Z'));
  const auth = createAuthService({ db, osUser: 'osuser', isDemo: () => false, scrypt: FAST, clock });
  const hash = await hashPassword(PASSWORD, FAST);
  const users: Array<[string, Role]> = [
    ['ada', 'admin'],
    ['carl', 'clerk'],
    ['sam', 'supervisor'],
    ['sue', 'supervisor'],
  ];
  for (const [userName, role] of users) insertUser(db, { userName, displayName: userName, role, passwordHash: hash, createdBy: 'test', at: clock.iso() });
  const sessions = new Map<string, CallContext>();
  // Moving the clock by hours idle-locks the sessions: sign in again then.
  const signInAll = async () => {
    for (const [userName] of users) sessions.set(userName, { channel: 'web', sessionToken: (await auth.signIn({ userName, password: PASSWORD })).sessionToken });
  };
  await signInAll();
  const as = (userName: string): CallContext => sessions.get(userName)!;
  const executed: number[] = [];
  const executor = { execute: async (id: number) => void executed.push(id) } as unknown as RefundExecutor;
  const refunds = createRefundService({ db, auth, clock, executor, merchantZone: () => ZONE });
  upsertTransactions(db, [sale(1, 200_000), sale(2, 200_000), sale(3, 200_000), sale(4, 900_000)], clock.iso());
  /** `by` requests a refund on `transactionId` and `approver` approves it with their password. */
  const refund = async (by: string, transactionId: number, amountCents: number, approver = by) => {
    const r = refunds.request({ transactionId, amountCents, reasonCode: 'Customer request' }, as(by));
    return refunds.approve({ refundId: r.id, password: PASSWORD }, as(approver)).then(
      (v) => ({ ok: true as const, view: v, id: r.id }),
      (e: Error) => ({ ok: false as const, message: e.message, id: r.id }),
    );
  };
  return { db, clock, refunds, refund, as, executed, signInAll };
}

describe('four-eyes limits are cumulative', () => {
  it('per sale: $500.00 + $500.00 + $30.25 self-approved by one supervisor is refused; a second supervisor must approve', async () => {
    const { refunds, refund, as } = await setUp();
    expect((await refund('sam', 1, 50_000)).ok).toBe(true);
    const second = await refund('sam', 1, 50_000);
    expect(second).toMatchObject({ ok: false, message: expect.stringMatching(/This sale already has \$500\.00 refunded, written off or reversed; with this \$500\.00 the total \$1,000\.00 needs a second supervisor/) });
    // A second supervisor may approve it: four-eyes kept.
    expect((await refunds.approve({ refundId: second.id, password: PASSWORD }, as('sue'))).state).toBe('approved');
    const third = await refund('sam', 1, 3_025);
    expect(third).toMatchObject({
      ok: false,
      message: 'You requested this refund: a second supervisor must approve it (four-eyes). This sale already has $1,000.00 refunded, written off or reversed; with this $30.25 the total $1,030.25 needs a second supervisor.',
    });
    expect(refunds.get(third.id).state).toBe('requested');
    // The waiting request says why it needs a second supervisor.
    expect(refunds.get(third.id).approvalRule).toMatch(/A second supervisor \(above \$500\.00, counting the \$1,000\.00 already given back on this payment: \$1,030\.25 in all\)/);
  });

  it('per sale: above the admin limit in total, an admin must approve even small requests', async () => {
    const { refund } = await setUp();
    // Four clerk requests of $1,900.00 on one $9,000.00 sale, each approved by a supervisor: the third crosses $5,000.00.
    expect((await refund('carl', 4, 190_000, 'sam')).ok).toBe(true);
    expect((await refund('carl', 4, 190_000, 'sue')).ok).toBe(true);
    expect(await refund('carl', 4, 190_000, 'sue')).toMatchObject({ ok: false, message: expect.stringMatching(/need an admin's approval\. This sale already has \$3,800\.00 .* the total \$5,700\.00 needs an admin's approval/) });
    expect((await refund('carl', 4, 190_000, 'ada')).ok).toBe(true);
  });

  it("per approver per merchant day: one supervisor's self-approvals on different sales add up; the next day starts again", async () => {
    const { refund, clock, signInAll } = await setUp();
    expect((await refund('sam', 1, 40_000)).ok).toBe(true);
    expect(await refund('sam', 2, 40_000)).toMatchObject({ ok: false, message: expect.stringMatching(/You have already approved \$400\.00 today; with this \$400\.00 your total \$800\.00 needs a second supervisor/) });
    // 11:30 pm in Los Angeles (07:30 UTC the next day) is still Monday for the merchant.
    clock.set(Date.parse('2026-01-06T07:30:00Z'));
    await signInAll();
    expect((await refund('sam', 3, 20_000)).ok).toBe(false);
    // Tuesday in Los Angeles: a new day.
    clock.set(Date.parse('2026-01-06T09:00:00Z'));
    await signInAll();
    expect((await refund('sam', 3, 40_000)).ok).toBe(true);
  });

  it("per approver per day: a supervisor approving others' requests needs an admin once their day passes the admin limit", async () => {
    const { db, refund } = await setUp();
    saveRefundPolicy(db, { ...DEFAULT_REFUND_POLICY, adminAboveCents: cents(100_000) });
    expect((await refund('carl', 1, 60_000, 'sam')).ok).toBe(true);
    expect(await refund('carl', 2, 60_000, 'sam')).toMatchObject({ ok: false, message: expect.stringMatching(/You have already approved \$600\.00 today; with this \$600\.00 your total \$1,200\.00 needs an admin's approval/) });
  });

  it('a write-off and a refund on one sale count together', async () => {
    const { db, clock, refund } = await setUp();
    // A $450.00 write-off approved earlier on sale 1 (by sue).
    insertControlRequest(db, {
      kind: 'write_off',
      transactionId: 1,
      amountCents: 45_000,
      currency: 'USD',
      reasonCode: 'Small balance',
      note: '',
      detail: [{ invoiceNo: 'INV-1', amountCents: 45_000, reasonCode: 'Small balance' }],
      state: 'approved',
      requestedBy: 'carl',
      requesterRole: 'clerk',
      at: clock.iso(),
    });
    expect(await refund('sam', 1, 10_000)).toMatchObject({ ok: false, message: expect.stringMatching(/This sale already has \$450\.00 refunded, written off or reversed; with this \$100\.00 the total \$550\.00 needs a second supervisor/) });
    // The same refund on a sale with nothing given back is within the self-approval limit.
    expect((await refund('sam', 2, 10_000)).ok).toBe(true);
  });
});
