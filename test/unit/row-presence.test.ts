import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Db } from '../../electron/core/store/db';
import { createPresenceService, PRESENCE_TTL_SECONDS } from '../../electron/core/team/presence';
import { manualClock } from '../../electron/core/clock';

// Soft locks on the store (SQLite here, the workspace in the postgres run):
// one claim per user and workstation, renewed without moving its "since",
// lapsing when not renewed, and each workstation seeing only the others.

const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function store(): Db {
  const db = openStore(mkdtempSync(join(tmpdir(), 'tieout-presence-')));
  open.push(db);
  return db;
}

describe('row presence', () => {
  it('claims, moves with the open payment, keeps its since on renewal, lapses, and is released', () => {
    const db = store();
    const clock = manualClock(Date.parse('2026-12-07T10:02:00Z'));
    const changes: number[][] = [];
    const desk1 = createPresenceService({ db, clock, workstation: 'desk-1', onChange: (ids) => changes.push(ids) });
    const desk2 = createPresenceService({ db, clock, workstation: 'desk-2', onChange: () => {} });

    expect(desk1.claim(11, 'ann').others).toEqual([]);
    expect(desk2.others('bob').others).toEqual([expect.objectContaining({ transactionId: 11, userName: 'ann', workstation: 'desk-1', since: '2026-12-07T10:02:00.000Z' })]);
    expect(desk2.claim(11, 'bob').others.map((p) => p.userName)).toEqual(['ann']);
    expect(desk1.othersOn(11, 'ann').map((p) => p.userName)).toEqual(['bob']);

    // A renewal keeps since and announces nothing; moving to another payment announces both.
    clock.advance(20_000);
    desk1.claim(11, 'ann');
    expect(desk2.others('bob').others[0]?.since).toBe('2026-12-07T10:02:00.000Z');
    desk1.claim(12, 'ann');
    expect(changes).toEqual([[11], [11, 12]]);
    expect(desk2.others('bob').others.map((p) => p.transactionId)).toEqual([12]);

    // Not renewed: gone after the TTL.
    clock.advance(PRESENCE_TTL_SECONDS * 1000 + 1);
    expect(desk2.others('bob').others).toEqual([]);
    desk2.claim(11, 'bob');
    desk2.release(11, 'bob');
    expect(desk1.others('ann').others).toEqual([]);
  });
});
