import { describe, expect, it } from 'vitest';
import { cents } from '@shared/money';
import { controlApprovalRule, DEFAULT_CONTROL_POLICY, needsSupervisor } from '../../electron/core/controls/policy';
import { approvalRefusal } from '../../electron/core/refunds/rules';

// The write-off/override limits and the four-eyes rules they share with refunds.

const policy = { ...DEFAULT_CONTROL_POLICY, approvalAboveCents: cents(2_500), secondApproverAboveCents: cents(50_000), adminAboveCents: cents(500_000) };
const noun = { one: 'write-off', many: 'Write-offs' };
const caseOf = (amount: number, requestedBy = 'clerk', requesterRole: 'clerk' | 'supervisor' = 'clerk', approvers: string[] = []) => ({
  state: 'requested',
  amountCents: cents(amount),
  currency: 'USD',
  requestedBy,
  requesterRole,
  approvers,
});

describe('control limits', () => {
  it('the clerk approval stands up to the limit, a supervisor is needed above it', () => {
    expect(needsSupervisor(cents(2_500), policy)).toBe(false);
    expect(needsSupervisor(cents(2_501), policy)).toBe(true);
    expect(controlApprovalRule(cents(100), 'USD', 'clerk', policy)).toMatch(/Within the clerk's limit \(\$25\.00\)/);
    expect(controlApprovalRule(cents(2_501), 'USD', 'clerk', policy)).toBe('A supervisor other than the requester');
    expect(controlApprovalRule(cents(600_000), 'USD', 'clerk', policy)).toMatch(/An admin/);
  });
});

describe('four-eyes for write-offs', () => {
  it('refuses the requester, a clerk, a second approval by the same person; names the write-off', () => {
    expect(approvalRefusal({ userName: 'clerk', role: 'clerk' }, caseOf(5_000), policy, noun)).toBe('Write-offs are approved by a supervisor or admin.');
    expect(approvalRefusal({ userName: 'sup', role: 'supervisor' }, caseOf(5_000), policy, noun)).toBeNull();
    expect(approvalRefusal({ userName: 'sup', role: 'supervisor' }, caseOf(5_000, 'clerk', 'clerk', ['sup']), policy, noun)).toMatch(/already approved this write-off/);
    expect(approvalRefusal({ userName: 'sup', role: 'supervisor' }, { ...caseOf(5_000), state: 'done' }, policy, noun)).toMatch(/This write-off is done/);
  });

  it('a supervisor confirms their own request up to the second-approver limit, not above; above the admin limit only an admin', () => {
    expect(approvalRefusal({ userName: 'sup', role: 'supervisor' }, caseOf(50_000, 'sup', 'supervisor'), policy, noun)).toBeNull();
    expect(approvalRefusal({ userName: 'sup', role: 'supervisor' }, caseOf(50_001, 'sup', 'supervisor'), policy, noun)).toMatch(/second supervisor/);
    expect(approvalRefusal({ userName: 'sup2', role: 'supervisor' }, caseOf(500_001), policy, noun)).toMatch(/need an admin/);
    expect(approvalRefusal({ userName: 'adm', role: 'admin' }, caseOf(500_001), policy, noun)).toBeNull();
  });

  it('keeps the refund wording when no noun is given', () => {
    expect(approvalRefusal({ userName: 'clerk', role: 'clerk' }, caseOf(5_000), policy)).toBe('Refunds are approved by a supervisor or admin.');
  });
});
