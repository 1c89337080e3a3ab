import { describe, expect, it } from 'vitest';
import { cents } from '@shared/money';
import { DEFAULT_REFUND_POLICY } from '../../electron/core/refunds/policy';
import { approvalNeed, approvalRefusal, type ApprovalCase } from '../../electron/core/refunds/rules';

// Default limits: a second supervisor above $500.00, an admin above $5,000.00.
const policy = DEFAULT_REFUND_POLICY;
const clerk = { userName: 'carol', role: 'clerk' as const };
const sup = { userName: 'sam', role: 'supervisor' as const };
const sup2 = { userName: 'sue', role: 'supervisor' as const };
const admin = { userName: 'ada', role: 'admin' as const };

const request = (over: Partial<ApprovalCase>): ApprovalCase => ({
  state: 'requested',
  amountCents: cents(10_000),
  currency: 'USD',
  requestedBy: 'carol',
  requesterRole: 'clerk',
  approvers: [],
  ...over,
});

describe('four-eyes approval rules', () => {
  it('a clerk can never approve; the requesting clerk cannot either', () => {
    expect(approvalRefusal(clerk, request({}), policy)).toMatch(/supervisor or admin/);
    expect(approvalRefusal({ userName: 'dave', role: 'clerk' }, request({}), policy)).toMatch(/supervisor or admin/);
  });

  it('a supervisor other than the requester approves a clerk request', () => {
    expect(approvalRefusal(sup, request({}), policy)).toBeNull();
    expect(approvalRefusal(admin, request({}), policy)).toBeNull();
  });

  it('a supervisor may confirm their own request up to the second-approver limit, not above', () => {
    const own = (amount: number) => request({ requestedBy: 'sam', requesterRole: 'supervisor', amountCents: cents(amount) });
    expect(approvalRefusal(sup, own(50_000), policy)).toBeNull();
    expect(approvalRefusal(sup, own(50_001), policy)).toMatch(/second supervisor must approve it/);
    expect(approvalRefusal(sup2, own(50_001), policy)).toBeNull();
    expect(approvalNeed(cents(50_001), 'USD', 'supervisor', policy).description).toBe('A second supervisor (above $500.00)');
  });

  it('above the admin limit only an admin who is not the requester approves', () => {
    const big = request({ amountCents: cents(500_001) });
    expect(approvalRefusal(sup, big, policy)).toMatch(/need an admin's approval/);
    expect(approvalRefusal(admin, big, policy)).toBeNull();
    const adminsOwn = request({ amountCents: cents(500_001), requestedBy: 'ada', requesterRole: 'admin' });
    expect(approvalRefusal(admin, adminsOwn, policy)).toMatch(/another person must approve/);
    expect(approvalRefusal({ userName: 'ann', role: 'admin' }, adminsOwn, policy)).toBeNull();
    // Exactly at the limit is not above it.
    expect(approvalNeed(cents(500_000), 'USD', 'clerk', policy).needsAdmin).toBe(false);
  });

  it('user names compare case-insensitively, nobody approves twice, and only requested refunds are approved', () => {
    expect(approvalRefusal({ userName: 'CAROL', role: 'supervisor' }, request({ amountCents: cents(60_000), requesterRole: 'supervisor' }), policy)).toMatch(/four-eyes/);
    expect(approvalRefusal(sup, request({ approvers: ['sam'] }), policy)).toMatch(/already approved/);
    for (const state of ['approved', 'rejected', 'executing', 'done', 'failed'] as const) expect(approvalRefusal(sup, request({ state }), policy)).toMatch(/only requested refunds/);
  });

  it('limits follow the policy', () => {
    const strict = { ...policy, secondApproverAboveCents: cents(0), adminAboveCents: cents(1_000) };
    expect(approvalRefusal(sup, request({ requestedBy: 'sam', requesterRole: 'supervisor', amountCents: cents(1) }), strict)).toMatch(/second supervisor/);
    expect(approvalRefusal(sup2, request({ amountCents: cents(1_001) }), strict)).toMatch(/admin/);
  });
});
