import type { Migration } from './migration';

// A receipt reversal's accounting date (YYYY-MM-DD, the merchant's day) is
// decided when it is queued and stored with it, so a retry on a later day
// still posts the date the supervisor reversed on. NULL on reversals queued
// before: the executor fixes it at their first send and stores it then.
export const migration: Migration = {
  version: 11,
  name: 'reversal dates',
  up(db) {
    db.exec(`ALTER TABLE receipt_reversals ADD COLUMN reversal_date TEXT;`);
  },
};
