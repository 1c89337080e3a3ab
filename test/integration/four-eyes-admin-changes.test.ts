import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CallContext } from '@shared/api-contract';
import type { Role } from '@shared/api/auth';
import { createPendingChangeService } from '../../electron/core/approval/pending-changes';
import { auditFor, verifyAudit } from '../../electron/core/audit/audit-log';
import { createAuthService } from '../../electron/core/auth/auth-service';
import { hashPassword } from '../../electron/core/auth/password';
import { manualClock } from '../../electron/core/clock';
import { createControlService } from '../../electron/core/controls/control-service';
import type { ReversalExecutor } from '../../electron/core/controls/reversal-executor';
import type { RefundExecutor } from '../../electron/core/refunds/executor';
import { createRefundService } from '../../electron/core/refunds/refund-service';
import { openStore } from '../../electron/core/store/db';
import { insertUser } from '../../electron/core/store/queries/users';

// Four-eyes on the controls themselves (issue 12, point 1): one admin alone
// cannot switch four-eyes off by raising the limits or promoting a user. A
// loosening change waits until a second admin approves it with their password;
// a tightening change applies at once. Real SQLite file, real auth service.

const FAST = { N: 2 ** 12, r: 8, p: 1 };
const PASSWORD = 'a-long-enough-password';

async function setUp() {
  const db = openStore(mkdtempSync(join(tmpdir(), 'tieout-admin-changes-')));
  const clock = manualClock(Date.parse('2026-01-05T18:00:00Z'));
  const auth = createAuthService({ db, osUser: 'osuser', isDemo: () => false, scrypt: FAST, clock });
  const hash = await hashPassword(PASSWORD, FAST);
  const users: Array<[string, Role]> = [
    ['ada', 'admin'],
    ['abe', 'admin'],
    ['carl', 'clerk'],
  ];
  for (const [userName, role] of users) insertUser(db, { userName, displayName: userName, role, passwordHash: hash, createdBy: 'test', at: clock.iso() });
  const sessions = new Map<string, CallContext>();
  for (const [userName] of users) sessions.set(userName, { channel: 'web', sessionToken: (await auth.signIn({ userName, password: PASSWORD })).sessionToken });
  const as = (userName: string): CallContext => sessions.get(userName)!;
  const refunds = createRefundService({ db, auth, clock, executor: {} as RefundExecutor });
  const controls = createControlService({
    db,
    auth,
    clock,
    reversals: {} as ReversalExecutor,
    erpConnector: () => Promise.reject(new Error('not used')),
    approveMatch: () => ({ approved: false, reason: 'not used' }),
  });
  const changes = createPendingChangeService({ db, auth, clock });
  return { db, auth, refunds, controls, changes, as };
}

describe('four-eyes on limits, reason codes and roles', () => {
  it('an admin raising a limit alone: it stays pending until another admin approves it with their password', async () => {
    const { db, refunds, changes, as } = await setUp();
    const stands = refunds.setPolicy({ secondApproverAboveCents: 10_000_000, adminAboveCents: 10_000_000 }, as('ada'));
    // Nothing loosened yet.
    expect(stands).toMatchObject({ secondApproverAboveCents: 50_000, adminAboveCents: 500_000 });
    expect(refunds.policy()).toMatchObject({ secondApproverAboveCents: 50_000, adminAboveCents: 500_000 });
    const [pending] = changes.list();
    expect(pending).toMatchObject({ kind: 'refunds.policy', state: 'pending', requestedBy: 'ada', summary: 'Refunds: second-supervisor limit $500.00 → $100,000.00; admin limit $5,000.00 → $100,000.00' });
    // The admin who asked cannot approve it, even with the right password; a wrong password by another admin changes nothing.
    await expect(changes.approve({ changeId: pending!.id, password: PASSWORD }, as('ada'))).rejects.toThrow(/another admin must approve it/);
    await expect(changes.approve({ changeId: pending!.id, password: 'wrong-password' }, as('abe'))).rejects.toThrow(/not correct/);
    expect(refunds.policy().adminAboveCents).toBe(500_000);
    // A second admin approves: now it applies.
    expect(await changes.approve({ changeId: pending!.id, password: PASSWORD }, as('abe'))).toMatchObject({ state: 'approved', decidedBy: 'abe' });
    expect(refunds.policy()).toMatchObject({ secondApproverAboveCents: 10_000_000, adminAboveCents: 10_000_000 });
    await expect(changes.approve({ changeId: pending!.id, password: PASSWORD }, as('abe'))).rejects.toThrow(/already approved/);
    expect(auditFor(db, 'pending_change', String(pending!.id)).map((a) => `${a.action}:${a.actor}`)).toEqual(['change.proposed:ada', 'change.approved:abe']);
    expect(verifyAudit(db).ok).toBe(true);
  });

  it('tightening applies at once; a mixed change applies its tightening part and leaves the rest pending', async () => {
    const { refunds, controls, changes, as } = await setUp();
    expect(refunds.setPolicy({ secondApproverAboveCents: 10_000, reasonCodes: ['Customer request', 'Other'] }, as('ada'))).toMatchObject({ secondApproverAboveCents: 10_000, reasonCodes: ['Customer request', 'Other'] });
    expect(changes.list()).toEqual([]);
    // Lower the clerk's limit, raise the tolerance and add a reason code: the first now, the others wait.
    const c = controls.setPolicy({ approvalAboveCents: 1_000, toleranceCents: 500, reasonCodes: ['Small balance', 'Goodwill'] }, as('ada'));
    expect(c).toMatchObject({ approvalAboveCents: 1_000, toleranceCents: 100, reasonCodes: ['Small balance'] });
    const [pending] = changes.list();
    expect(pending).toMatchObject({ kind: 'controls.policy', summary: 'Write-offs and overrides: tolerance $1.00 → $5.00; reason codes added: Goodwill', change: { limits: { toleranceCents: 500 }, addReasonCodes: ['Goodwill'] } });
    // Rejected: nothing of it applies.
    expect(changes.reject({ changeId: pending!.id, reason: 'Not agreed' }, as('abe'))).toMatchObject({ state: 'rejected', rejectReason: 'Not agreed' });
    expect(controls.policy()).toMatchObject({ toleranceCents: 100, reasonCodes: ['Small balance'] });
  });

  it('an admin promoting a clerk to supervisor alone: the clerk stays a clerk until another admin approves', async () => {
    const { auth, changes, as } = await setUp();
    expect(auth.setRole({ userName: 'carl', role: 'supervisor' }, as('ada')).role).toBe('clerk');
    expect(auth.users().find((u) => u.userName === 'carl')?.role).toBe('clerk');
    // Creating a new supervisor is the same promotion: the account starts as a clerk.
    expect((await auth.createUser({ userName: 'dora', password: PASSWORD, role: 'admin' }, as('ada'))).role).toBe('clerk');
    const pending = changes.list();
    expect(pending.map((p) => [p.summary, p.state])).toEqual([
      ['carl: clerk → supervisor', 'pending'],
      ['dora: clerk → admin', 'pending'],
    ]);
    await expect(changes.approve({ changeId: pending[0]!.id, password: PASSWORD }, as('ada'))).rejects.toThrow(/another admin/);
    await changes.approve({ changeId: pending[0]!.id, password: PASSWORD }, as('abe'));
    expect(auth.users().find((u) => u.userName === 'carl')?.role).toBe('supervisor');
    // A demotion tightens: it applies at once.
    expect(auth.setRole({ userName: 'carl', role: 'clerk' }, as('ada')).role).toBe('clerk');
    expect(auth.users().find((u) => u.userName === 'dora')?.role).toBe('clerk');
  });
});
