import { redactCardNumbers } from '@shared/card-numbers';
import { keptMask, keptPayTraceFields } from '@shared/paytrace-kept-fields';
import type { Migration } from './migration';

// Export rows synced before the allow-list (issue 12) were kept whole: the
// card's expiry month and year, and whatever else PayTrace sent. Each stored
// row is reduced to the allow-listed fields the sync now keeps, so the next
// sync of the same row finds it unchanged. Rows whose JSON cannot be read are
// reduced to {} (they cannot be shown to hold nothing sensitive). Masked cards
// that hold more than a mask are cleared, and reject errors lose card numbers.
export const migration: Migration = {
  version: 14,
  name: 'scrub raw PayTrace rows',
  up(db) {
    const reduce = (json: string): string => {
      try {
        return JSON.stringify(keptPayTraceFields(JSON.parse(json)));
      } catch {
        return '{}';
      }
    };
    const transactions = db.prepare('SELECT transaction_id, raw_json, masked_card FROM paytrace_transactions').all() as Array<{ transaction_id: number; raw_json: string; masked_card: string }>;
    const updateTransaction = db.prepare('UPDATE paytrace_transactions SET raw_json = ?, masked_card = ? WHERE transaction_id = ?');
    for (const t of transactions) {
      const raw = reduce(t.raw_json);
      const masked = keptMask(t.masked_card);
      if (raw !== t.raw_json || masked !== t.masked_card) updateTransaction.run(raw, masked, t.transaction_id);
    }
    const rejects = db.prepare('SELECT id, raw_json, error FROM paytrace_rejects').all() as Array<{ id: number; raw_json: string; error: string }>;
    const updateReject = db.prepare('UPDATE paytrace_rejects SET raw_json = ?, error = ? WHERE id = ?');
    for (const r of rejects) {
      const raw = reduce(r.raw_json);
      const error = redactCardNumbers(r.error);
      if (raw !== r.raw_json || error !== r.error) updateReject.run(raw, error, r.id);
    }
  },
};
