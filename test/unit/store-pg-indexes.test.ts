import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../electron/core/store/db';
import { onWorkspace } from '../support/store-dialect';

// Migration 0017's indexes on PostgreSQL: the partial index's predicate must be
// the one the translated query carries (ILIKE), or the planner cannot use it.
describe.skipIf(!onWorkspace)('refund look-up indexes on the workspace (PostgreSQL)', () => {
  it('the refund-key and take-back look-ups can use their indexes', () => {
    const db = openStore(mkdtempSync(join(tmpdir(), 'tieout-pg-idx-')));
    try {
      db.exec('SET enable_seqscan = off');
      const plan = (sql: string): string => (db.prepare(`EXPLAIN ${sql}`).all() as Array<Record<string, string>>).map((r) => Object.values(r)[0]).join(' | ');
      expect(plan("SELECT * FROM paytrace_transactions WHERE UPPER(TRIM(invoice_id)) = 'A' AND UPPER(TRIM(customer_id)) = 'B' AND TRIM(masked_card) = 'C' ORDER BY transaction_id")).toMatch(
        /paytrace_transactions_refund_key/,
      );
      expect(plan("SELECT * FROM paytrace_transactions WHERE UPPER(type) LIKE '%REFUND%' OR UPPER(type) LIKE '%VOID%' ORDER BY transaction_id")).toMatch(/paytrace_transactions_takebacks/);
    } finally {
      db.close();
    }
  });
});
