import { describe, expect, it } from 'vitest';
import { cents } from '@shared/money';
import type { DecisionState } from '../../electron/core/offline/workspace-cache';
import { decisionOf, overtaken, type QueuedDecision } from '../../electron/core/offline/workspace-replay';

// The replay's two rules, on their own: what the clerk changed on the copy
// (base → mine) and whether a teammate changed the same thing meanwhile
// (base → theirs).

const base: DecisionState = { reviewState: 'pending', note: null, owner: null, clerkException: null, pinned: null, decidedBy: null, decidedAt: null };
const pin = { customerId: 'C1', allocations: [{ invoiceNo: 'INV-1', amountCents: cents(500) }] };

function queued(mine: DecisionState, from: DecisionState = base): QueuedDecision {
  const { decision, unsupported } = decisionOf(from, mine);
  return { key: 'ab:1', transactionId: 1, base: from, mine, decision, unsupported, actor: 'clerk', decidedOfflineAt: '2026-12-07T10:00:00Z' };
}

describe('what a clerk decided on the copy', () => {
  it('notes, owners, exception reasons, allocations and approvals become the decision', () => {
    const mine: DecisionState = { ...base, reviewState: 'approved', note: 'n', owner: 'o', clerkException: 'short_pay', pinned: pin, decidedBy: 'clerk', decidedAt: 'x' };
    expect(decisionOf(base, mine)).toEqual({
      decision: { note: 'n', owner: 'o', exceptionReason: 'short_pay', allocation: pin, approve: true },
      unsupported: null,
    });
  });

  it('a cleared note is carried back as empty; an unchanged field is left out', () => {
    expect(decisionOf({ ...base, note: 'old' }, base)).toEqual({ decision: { note: '' }, unsupported: null });
    expect(decisionOf(base, base)).toEqual({ decision: {}, unsupported: null });
  });

  it('what cannot be carried back is said, never dropped in silence', () => {
    expect(decisionOf({ ...base, pinned: pin }, base).unsupported).toMatch(/allocation chosen before was undone/);
    expect(decisionOf({ ...base, reviewState: 'approved' }, base).unsupported).toMatch(/from approved to pending/);
  });
});

describe('a teammate who decided the same thing meanwhile', () => {
  it('overtakes a note only where the workspace no longer shows the base note', () => {
    const q = queued({ ...base, note: 'mine' });
    expect(overtaken(q, base)).toEqual([]);
    expect(overtaken(q, { ...base, owner: 'someone' })).toEqual([]);
    expect(overtaken(q, { ...base, note: 'theirs' })).toEqual(['The note was changed in the workspace meanwhile.']);
  });

  it('overtakes an approval or allocation when the payment was decided, naming who', () => {
    const q = queued({ ...base, reviewState: 'approved', decidedBy: 'clerk', decidedAt: 'x' });
    expect(overtaken(q, { ...base, reviewState: 'posted', decidedBy: 'clerk-b', decidedAt: '2026-12-07T10:05:00Z' })).toEqual([
      'The payment was posted by clerk-b at 2026-12-07T10:05:00Z meanwhile.',
    ]);
    const allocation = queued({ ...base, pinned: pin });
    expect(overtaken(allocation, { ...base, pinned: { ...pin, customerId: 'C2' } })).toEqual(['Another allocation was chosen in the workspace meanwhile.']);
    expect(overtaken(allocation, undefined)).toEqual(['The payment is no longer in the workspace.']);
  });
});
