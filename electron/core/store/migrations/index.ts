import type Database from 'better-sqlite3';
import type { Migration } from './migration';
import { migration as initial } from './0001-initial';
import { migration as learnedMappings } from './0002-learned-mappings';
import { migration as usersSessionsRefunds } from './0003-users-sessions-refunds';
import { migration as offlineReview } from './0004-offline-review';
import { migration as supervisorControls } from './0005-supervisor-controls';
import { migration as openCreditsAndTerms } from './0006-open-credits-and-terms';
import { migration as refundLinks } from './0007-refund-links';
import { migration as syncStateSplit } from './0008-sync-state-split';
import { migration as nonZeroAllocations } from './0009-non-zero-allocations';
import { migration as refundLeases } from './0010-refund-leases';
import { migration as reversalDates } from './0011-reversal-dates';
import { migration as pendingChanges } from './0012-pending-changes';
import { migration as signInReservationsTotp } from './0013-sign-in-reservations-totp';
import { migration as scrubRawPayTraceRows } from './0014-scrub-raw-paytrace-rows';
import { migration as pendingSignInPolicy } from './0015-pending-sign-in-policy';
import { migration as rowPresence } from './0016-row-presence';
import { migration as refundLookupIndexes } from './0017-refund-lookup-indexes';
import { migration as savedViews } from './0018-saved-views';
import { migration as gridViewIndexes } from './0019-grid-view-indexes';

// Numbered, append-only migrations, one file each (NNNN-name.ts), listed here
// in order. Each has a test under test/unit/migrations/. The applied version
// is PRAGMA user_version, nothing else: a database written by the single-file
// migrations of earlier releases carries on from where it stopped.

export type { Migration } from './migration';

export const migrations: readonly Migration[] = [
  initial,
  learnedMappings,
  usersSessionsRefunds,
  offlineReview,
  supervisorControls,
  openCreditsAndTerms,
  refundLinks,
  syncStateSplit,
  nonZeroAllocations,
  refundLeases,
  reversalDates,
  pendingChanges,
  signInReservationsTotp,
  scrubRawPayTraceRows,
  pendingSignInPolicy,
  rowPresence,
  refundLookupIndexes,
  savedViews,
  gridViewIndexes,
];

export function currentVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies pending migrations, each in its own transaction, up to `target` (default: all). */
export function migrate(db: Database.Database, target = migrations[migrations.length - 1]!.version): number {
  let version = currentVersion(db);
  for (const m of migrations) {
    if (m.version <= version || m.version > target) continue;
    // A table rebuild runs with foreign keys off, checked before commit (see Migration).
    const rebuilt = m.rebuildsTables ?? [];
    const foreignKeys = db.pragma('foreign_keys', { simple: true }) === 1;
    if (rebuilt.length > 0 && foreignKeys) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        m.up(db);
        for (const table of rebuilt) {
          const broken = db.pragma(`foreign_key_check(${table})`) as unknown[];
          if (broken.length > 0) throw new Error(`Migration ${m.version} (${m.name}) would leave ${broken.length} broken foreign key reference(s) in ${table}`);
        }
        db.pragma(`user_version = ${m.version}`);
      })();
    } finally {
      if (rebuilt.length > 0 && foreignKeys) db.pragma('foreign_keys = ON');
    }
    version = m.version;
  }
  return version;
}
