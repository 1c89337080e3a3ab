import { describe, expect, it } from 'vitest';
import { applyLearnedUpdates, learnFromConfirmation } from '../../electron/core/matching/learning';
import { createMatcher } from '../../electron/core/matching/engine';
import { CUSTOMERS, invoice, payment } from './matching-fixtures';

describe('learning from confirmations', () => {
  it('maps the PayTrace customer id and the billing name to the confirmed customer', () => {
    const updates = learnFromConfirmation({ transaction: { customerId: ' vault-9 ', billingName: 'Bob  Builder' }, customerId: 'C10042' }, []);
    expect(updates.map((u) => u.mapping)).toEqual([
      { key: 'paytrace_customer_id', value: 'VAULT-9', customerId: 'C10042', confirmations: 1 },
      { key: 'billing_name', value: 'bob builder', customerId: 'C10042', confirmations: 1 },
    ]);
  });

  it('counts repeat confirmations and records when a clerk overrules a mapping', () => {
    const first = applyLearnedUpdates([], learnFromConfirmation({ transaction: { customerId: '', billingName: 'Bob Builder' }, customerId: 'C10042' }, []));
    const second = learnFromConfirmation({ transaction: { customerId: '', billingName: 'BOB BUILDER' }, customerId: 'C10042' }, first);
    expect(second[0]!.mapping.confirmations).toBe(2);
    const overruled = learnFromConfirmation({ transaction: { customerId: '', billingName: 'Bob Builder' }, customerId: 'C10001' }, applyLearnedUpdates(first, second));
    expect(overruled[0]).toEqual({ mapping: { key: 'billing_name', value: 'bob builder', customerId: 'C10001', confirmations: 1 }, replaced: 'C10042' });
  });

  it('learns nothing redundant: a PayTrace id equal to the ERP id is seen directly', () => {
    expect(learnFromConfirmation({ transaction: { customerId: 'C10001', billingName: '' }, customerId: 'C10001' }, [])).toEqual([]);
  });

  it('a learned payer corroborates a typo reference, so the next payment is automatic', () => {
    const invoices = [invoice('1004522', 'C10001', 9950)];
    const t = payment(9950, { invoiceId: '1004252', billingName: 'Bob Builder' });
    const matcher = createMatcher();
    expect(matcher({ transactions: [t], invoices, customers: CUSTOMERS })[0]!.status).toBe('suggested');
    const learned = applyLearnedUpdates([], learnFromConfirmation({ transaction: t, customerId: 'C10001' }, []));
    const after = matcher({ transactions: [t], invoices, customers: CUSTOMERS, learned })[0]!;
    expect(after.status).toBe('auto');
    expect(after.reasons.join(' ')).toContain('was confirmed as C10001 before');
  });
});
