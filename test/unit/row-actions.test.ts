import { describe, expect, it } from 'vitest';
import { actionsFor, rowKind } from '../../shared/row-actions';

describe('actionsFor', () => {
  it('offers allocation, write-off and approval on an undecided sale only', () => {
    expect(actionsFor({ type: 'SALE', exception: null, status: 'auto' })).toEqual({ approve: true, editAllocation: true, writeOff: true });
    expect(actionsFor({ type: 'SALE', exception: 'short_payment', status: 'exception' })).toEqual({ approve: false, editAllocation: true, writeOff: true });
    expect(actionsFor({ type: 'SALE', exception: null, status: 'posted' })).toEqual({ approve: false, editAllocation: false, writeOff: false });
    for (const row of [
      { type: 'REFUND', exception: 'refund' },
      { type: 'VOID', exception: 'voided' },
      { type: 'SALE', exception: 'declined' },
      { type: 'Refund ', exception: null },
    ]) {
      expect(actionsFor({ ...row, status: 'exception' })).toEqual({ approve: false, editAllocation: false, writeOff: false });
    }
  });

  it('names the kind: a refunded sale is still a sale', () => {
    expect(rowKind({ type: 'SALE', exception: 'refunded' })).toBe('sale');
    expect(rowKind({ type: 'VOID', exception: null })).toBe('void');
    expect(rowKind({ type: 'DECLINED', exception: null })).toBe('decline');
  });
});
