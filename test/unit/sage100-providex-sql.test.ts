import { describe, expect, it } from 'vitest';
import { ErpError } from '../../electron/core/erp/errors';
import { assertProvideXDialect } from '../../electron/core/erp/sage100/providex-sql';

// What the bundled ProvideX ODBC driver refuses never leaves Tieout (docs/erp/sage100.md).

describe('ProvideX dialect guard', () => {
  it.each([
    ['OR', "SELECT a FROM T WHERE a = 1 OR b = 2"],
    ['UNION', 'SELECT a FROM T UNION SELECT a FROM U'],
    ['JOIN', 'SELECT a FROM T INNER JOIN U ON T.a = U.a'],
    ['{ IJ }', 'SELECT a FROM { IJ T INNER JOIN U ON T.a = U.a }'],
    ['subquery', 'SELECT a FROM T WHERE a IN (SELECT a FROM U)'],
    ['LIMIT', 'SELECT a FROM T LIMIT 10'],
    ['TOP', 'SELECT TOP 10 a FROM T'],
    ['semicolon', 'SELECT a FROM T;'],
    ['brackets', 'SELECT [a] FROM T'],
  ])('refuses %s as config', (_what, sql) => {
    expect(() => assertProvideXDialect(sql)).toThrow(ErpError);
    try {
      assertProvideXDialect(sql);
    } catch (e) {
      expect((e as ErpError).kind).toBe('config');
    }
  });

  it('accepts what Tieout sends, and words inside literals or longer names', () => {
    for (const sql of [
      "SELECT CustomerNo, InvoiceNo FROM AR_OpenInvoice WHERE ARDivisionNo = ? AND Balance <> 0 AND InvoiceDate >= {d '2026-01-01'} AND CustomerNo > ? ORDER BY CustomerNo, InvoiceNo, InvoiceType",
      "SELECT CustomerNo FROM AR_Customer WHERE CustomerName = 'Smith OR Sons; [x] UNION'",
      'SELECT OrderStatus, StopDate, Topic FROM T WHERE Ordinal = ?',
    ]) {
      expect(() => assertProvideXDialect(sql)).not.toThrow();
    }
  });
});
