import { describe, expect, it } from 'vitest';
import { ErpError } from '../../electron/core/erp/errors';
import { parseSage100Options } from '../../electron/core/erp/sage100/options';

// A setting renamed because the real ERP differs from the old guess: a site's
// own value is refused with the new name, never silently dropped.

function kindOf(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (e) {
    return e instanceof ErpError ? `${e.kind}: ${e.message}` : String(e);
  }
}

describe('retired ERP settings', () => {
  it('Sage 100: a saved invoiceAmountColumn of the site is refused, naming invoiceAmountColumns', () => {
    expect(kindOf(() => parseSage100Options({ invoiceAmountColumn: 'InvTotal' }))).toMatch(/^config: Sage 100 setting invoiceAmountColumn \(saved as "InvTotal"\) is no longer read: .*Set invoiceAmountColumns/);
    expect(kindOf(() => parseSage100Options({ unpostedHeaderTable: 'AR_CashRcptHdr' }))).toMatch(/^config: .*Set unpostedDetailTable/);
  });

  it('Sage 100: a retired setting left at its old default is ignored', () => {
    expect(kindOf(() => parseSage100Options({ invoiceAmountColumn: 'InvoiceAmt', unpostedHeaderTable: 'AR_CashReceiptsHeader' }))).toBeNull();
    expect(kindOf(() => parseSage100Options({}))).toBeNull();
  });
});
