// Run as a child process by test/unit/store-pg-concurrency.test.ts: one
// workstation's connection to a shared workspace (its own process, its own
// PostgreSQL session), doing what the parent asks and printing the result as
// one JSON line. Waits for the parent's "go" on stdin so both start together.
import { PgDatabase } from '../../electron/core/store/pg/pg-database';
import { claimDue } from '../../electron/core/store/queries/outbox';
import type { WriteDb } from '../../electron/core/store/db';

const [url, task, arg] = process.argv.slice(2) as [string, 'counter' | 'claim', string];

// Connected before "ready", so the two children's work overlaps rather than their start-up.
const db = new PgDatabase({ connectionString: url, ssl: false }, { label: task });
db.prepare('SELECT 1').get();

function work(): unknown {
  try {
    if (task === 'counter') {
      // A read-then-write transaction: without the writer lock two sessions read the same n and one increment is lost.
      const increment = db.transaction(() => {
        const { n } = db.prepare('SELECT n FROM lost_update_counter WHERE id = 1').get() as { n: number };
        db.prepare('UPDATE lost_update_counter SET n = ? WHERE id = 1').run(n + 1);
      });
      for (let i = 0; i < Number(arg); i++) increment();
      return { done: Number(arg) };
    }
    const claimed: number[] = [];
    for (;;) {
      const row = claimDue(db as unknown as WriteDb, arg, '2026-01-01T00:00:00.000Z', '2099-01-01T00:00:00.000Z');
      if (!row) break;
      claimed.push(row.id);
    }
    return { claimed };
  } finally {
    db.close();
  }
}

process.stdin.once('data', () => {
  process.stdout.write(`${JSON.stringify(work())}\n`);
  process.exit(0);
});
process.stdout.write('ready\n');
