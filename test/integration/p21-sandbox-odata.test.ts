import { describe, expect, it } from 'vitest';
import { ODataError, queryRows } from '../../electron/sandboxes/erp/p21/sandbox-odata';

// The sandbox's $filter subset must be as strict as P21, or connector bugs
// (column-to-column filters, unquoted strings) would pass here and fail on site.

const cols = ['invoice_no', 'customer_id', 'total_amount', 'amount_paid', 'flag', 'invoice_date'];
const rows = [
  { invoice_no: 'A1', customer_id: '1', total_amount: 10, amount_paid: 0, flag: 'N', invoice_date: '2025-01-10T00:00:00' },
  { invoice_no: 'A2', customer_id: '2', total_amount: 20.5, amount_paid: 20.5, flag: 'Y', invoice_date: '2025-02-10T00:00:00' },
  { invoice_no: "O'B", customer_id: '1', total_amount: 5, amount_paid: 1, flag: 'N', invoice_date: '2025-03-10T00:00:00' },
];
const q = (s: string) => new URLSearchParams(s);
const ids = (s: string) => queryRows(rows, cols, q(s)).value.map((r) => r.invoice_no);

describe('sandbox OData subset', () => {
  it('eq/ne/gt/lt/ge/le with and/or and parentheses', () => {
    expect(ids("$filter=flag eq 'N' and total_amount gt 6")).toEqual(['A1']);
    expect(ids("$filter=flag eq 'Y' or (customer_id eq '1' and amount_paid ge 1)")).toEqual(['A2', "O'B"]);
    expect(ids('$filter=total_amount le 10 and total_amount ne 5')).toEqual(['A1']);
    expect(ids('$filter=invoice_date lt 2025-02-01')).toEqual(['A1']);
    expect(ids("$filter=invoice_no eq 'O''B'")).toEqual(["O'B"]);
  });

  it('orderby, top, skip, count and select', () => {
    const r = queryRows(rows, cols, q('$orderby=total_amount desc&$top=1&$skip=1&$select=invoice_no,total_amount&$count=true'));
    expect(r.value).toEqual([{ invoice_no: 'A1', total_amount: 10 }]);
    expect(r.count).toBe(3);
  });

  it('refuses what P21 refuses', () => {
    const err = (s: string) => {
      try {
        queryRows(rows, cols, q(s));
      } catch (e) {
        return e instanceof ODataError ? `${e.status} ${e.message}` : String(e);
      }
      return 'accepted';
    };
    expect(err('$filter=total_amount gt amount_paid')).toMatch(/^404 Failed to convert parameter value/);
    expect(err('$filter=invoice_date lt now()')).toMatch(/^404 Unknown function now/);
    // Real P21: an unknown column in $filter/$select/$orderby is a 404, as is a quoted decimal (issue 13).
    expect(err("$filter=nope eq 'x'")).toMatch(/^404 Could not find a property named 'nope'/);
    expect(err("$filter=flag eq 'N")).toMatch(/^400 .*unterminated/);
    expect(err('$select=nope')).toMatch(/^404/);
    expect(err('$orderby=nope')).toMatch(/^404/);
  });

  it("a quoted literal against a decimal column is P21's 404, a bare one works", () => {
    const decimals = new Set(['total_amount']);
    expect(() => queryRows(rows, cols, q("$filter=total_amount eq '10'"), decimals)).toThrowError(/Failed to convert parameter value '10' to Edm.Decimal/);
    expect(queryRows(rows, cols, q('$filter=total_amount eq 10'), decimals).value.map((r) => r.invoice_no)).toEqual(['A1']);
  });
});
