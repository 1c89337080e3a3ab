import { describe, expect, it } from 'vitest';
import { canSaveAllocation, checkAllocation, parseAmountInput } from './allocation-math';

describe('parseAmountInput', () => {
  it('reads what clerks type into integer cents', () => {
    expect(parseAmountInput('1,250.00')).toEqual({ ok: true, cents: 125000 });
    expect(parseAmountInput('0.1')).toEqual({ ok: true, cents: 10 });
    expect(parseAmountInput('$19.99')).toEqual({ ok: true, cents: 1999 });
  });
  it('refuses empty, zero, negative, junk and a third decimal', () => {
    expect(parseAmountInput('').ok).toBe(false);
    expect(parseAmountInput('0').ok).toBe(false);
    expect(parseAmountInput('-5').ok).toBe(false);
    expect(parseAmountInput('12abc').ok).toBe(false);
    expect(parseAmountInput('1.005')).toEqual({ ok: false, error: 'At most two decimals' });
  });
});

describe('checkAllocation', () => {
  it('keeps the running difference exact where floats would drift', () => {
    // 0.1 + 0.2 in floats is 0.30000000000000004
    const c = checkAllocation(30, [
      { invoiceNo: 'A', amount: '0.10' },
      { invoiceNo: 'B', amount: '0.20' },
    ]);
    expect(c).toMatchObject({ allocatedCents: 30, differenceCents: 0, state: 'balanced' });
    expect(canSaveAllocation(c, 'C1')).toBe(true);
  });
  it('shows unapplied and over-allocated amounts, and only the first may be saved', () => {
    const under = checkAllocation(10000, [{ invoiceNo: 'A', amount: '40' }]);
    expect(under).toMatchObject({ differenceCents: 6000, state: 'unapplied' });
    expect(canSaveAllocation(under, 'C1')).toBe(true);
    const over = checkAllocation(10000, [
      { invoiceNo: 'A', amount: '60' },
      { invoiceNo: 'B', amount: '50.01' },
    ]);
    expect(over).toMatchObject({ differenceCents: -1001, state: 'over' });
    expect(canSaveAllocation(over, 'C1')).toBe(false);
  });
  it('flags duplicate and incomplete lines and needs a customer', () => {
    const c = checkAllocation(100, [
      { invoiceNo: 'inv-1', amount: '0.50' },
      { invoiceNo: 'INV-1', amount: '0.50' },
      { invoiceNo: '', amount: '1' },
    ]);
    expect(c.state).toBe('incomplete');
    expect(c.lineErrors).toEqual([null, 'Invoice INV-1 is already on another line', 'Enter an invoice number']);
    expect(canSaveAllocation(checkAllocation(100, [{ invoiceNo: 'A', amount: '1' }]), ' ')).toBe(false);
  });
});
