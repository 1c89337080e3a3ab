import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CallContext } from '@shared/api-contract';
import { createAuthService } from '../../electron/core/auth/auth-service';
import { verifyPassword } from '../../electron/core/auth/password';
import { DEFAULT_THROTTLE, SignInThrottle } from '../../electron/core/auth/throttle';
import { manualClock } from '../../electron/core/clock';
import { openStore } from '../../electron/core/store/db';

// Issue 12, point 2: 60 concurrent sign-ins (59 wrong, 1 right) were all
// evaluated and the right one cleared the counter. An attempt is now reserved
// before its hash is computed, so concurrency buys no extra guesses. Real
// SQLite file, real scrypt (default parameters); the verifier only counts.

const RIGHT = 'the-right-password-1';
const web = (sessionToken: string | null): CallContext => ({ sessionToken, channel: 'web' });

async function setUp() {
  const db = openStore(mkdtempSync(join(tmpdir(), 'tieout-throttle-')));
  const clock = manualClock(Date.parse('2030-01-01T10:00:00Z'));
  let evaluated = 0;
  const auth = createAuthService({
    db,
    osUser: 'osuser',
    isDemo: () => false,
    clock,
    verifyPassword: (password, stored) => {
      evaluated += 1;
      return verifyPassword(password, stored);
    },
  });
  const admin = await auth.setup({ userName: 'alice', password: 'alices-password' });
  await auth.createUser({ userName: 'bob', password: RIGHT, role: 'supervisor' }, web(admin.sessionToken));
  const sessionsOf = (userName: string) => (db.prepare('SELECT COUNT(*) AS n FROM sessions WHERE user_name = ?').get(userName) as { n: number }).n;
  // A second measure that needs no injection: every evaluated wrong guess is audited as a failure.
  const auditedFailures = (action: string) => (db.prepare('SELECT COUNT(*) AS n FROM audit WHERE action = ?').get(`${action}.failed`) as { n: number }).n;
  return { db, auth, clock, evaluated: () => evaluated, sessionsOf, auditedFailures };
}

/** 59 wrong guesses and the right password in the middle, all started in the same tick. */
function guesses(right: number): string[] {
  return Array.from({ length: 60 }, (_, i) => (i === right ? RIGHT : `wrong-guess-${i}`));
}

describe('sign-in throttle under concurrency (reserve, then settle)', () => {
  it('evaluates at most 10 of 60 concurrent sign-ins; the right one, arriving 31st, is refused, and the name ends locked', async () => {
    const { db, auth, evaluated, sessionsOf, auditedFailures } = await setUp();
    const results = await Promise.allSettled(guesses(30).map((password) => auth.signIn({ userName: 'bob', password })));
    expect(auditedFailures('auth.sign_in')).toBeLessThanOrEqual(10);
    expect(evaluated()).toBeLessThanOrEqual(10);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(0);
    expect(sessionsOf('bob')).toBe(0);
    // The ten evaluated wrong guesses locked the name: the right password is refused for 30 minutes, unevaluated.
    const before = evaluated();
    await expect(auth.signIn({ userName: 'bob', password: RIGHT })).rejects.toThrow(/Too many failed attempts for bob\. Try again in 30 minutes/);
    expect(evaluated()).toBe(before);
    expect(auth.users().find((u) => u.userName === 'bob')).toMatchObject({ failedSignIns: 10, lockedUntil: '2030-01-01T10:30:00.000Z' });
    db.close();
  });

  it('the same race on the four-eyes password re-entry (confirmPassword), keyed per user', async () => {
    const { db, auth, evaluated, auditedFailures } = await setUp();
    const bob = await auth.signIn({ userName: 'bob', password: RIGHT });
    const start = evaluated();
    const results = await Promise.allSettled(guesses(30).map((password) => auth.confirmPassword(web(bob.sessionToken), password)));
    expect(auditedFailures('auth.confirm')).toBeLessThanOrEqual(10);
    expect(evaluated() - start).toBeLessThanOrEqual(10);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(0);
    await expect(auth.confirmPassword(web(bob.sessionToken), RIGHT)).rejects.toThrow(/Try again in 30 minutes/);
    db.close();
  });

  it('locks after 10 failures for 30 minutes (PCI DSS v4 8.3.4), then opens a fresh window', async () => {
    const { db, auth, clock } = await setUp();
    for (let i = 0; i < 9; i++) await expect(auth.signIn({ userName: 'bob', password: 'wrong' })).rejects.toThrow(/^The user name or password is not correct\.$/);
    await expect(auth.signIn({ userName: 'bob', password: 'wrong' })).rejects.toThrow(/locked for 30 minutes/);
    clock.advance(30 * 60_000 - 1_000);
    await expect(auth.signIn({ userName: 'bob', password: RIGHT })).rejects.toThrow(/Try again in 1 s/);
    clock.advance(1_000);
    await expect(auth.signIn({ userName: 'bob', password: 'wrong' })).rejects.toThrow(/^The user name or password is not correct\.$/);
    expect(auth.users().find((u) => u.userName === 'bob')).toMatchObject({ failedSignIns: 1, lockedUntil: null });
    await expect(auth.signIn({ userName: 'bob', password: RIGHT })).resolves.toMatchObject({ user: { userName: 'bob' } });
    expect(auth.users().find((u) => u.userName === 'bob')).toMatchObject({ failedSignIns: 0, lockedUntil: null });
    db.close();
  });

  it('a user changes their own password: current one required (throttled), 12 characters (PCI DSS v4 8.3.6), audited without either', async () => {
    const { db, auth } = await setUp();
    const bob = web((await auth.signIn({ userName: 'bob', password: RIGHT })).sessionToken);
    await expect(auth.changePassword({ currentPassword: RIGHT, newPassword: '11-chars-ab' }, bob)).rejects.toMatchObject({ code: 'invalid_args', message: /at least 12/ });
    await expect(auth.changePassword({ currentPassword: 'not-it-at-all', newPassword: 'a-new-passphrase-2' }, bob)).rejects.toThrow(/not correct/);
    expect(auth.users().find((u) => u.userName === 'bob')?.failedSignIns).toBe(1);
    await auth.changePassword({ currentPassword: RIGHT, newPassword: 'a-new-passphrase-2' }, bob);
    await expect(auth.signIn({ userName: 'bob', password: RIGHT })).rejects.toThrow(/not correct/);
    await expect(auth.signIn({ userName: 'bob', password: 'a-new-passphrase-2' })).resolves.toMatchObject({ user: { userName: 'bob' } });
    const everything = JSON.stringify(db.prepare('SELECT * FROM audit').all());
    expect(everything).toContain('user.change_password');
    expect(everything).not.toContain('a-new-passphrase-2');
    expect(everything).not.toContain(RIGHT);
    db.close();
  });

  it('counts a reservation a crash left unsettled as a failure once stale, never as a free attempt', () => {
    const db = openStore(mkdtempSync(join(tmpdir(), 'tieout-throttle-')));
    let now = Date.parse('2030-01-01T10:00:00Z');
    const throttle = new SignInThrottle(db, DEFAULT_THROTTLE, () => new Date(now));
    for (let i = 0; i < 10; i++) expect(throttle.reserve('carol')).toMatchObject({ ok: true });
    expect(throttle.reserve('carol')).toMatchObject({ ok: false, reason: 'busy' });
    now += (DEFAULT_THROTTLE.staleReservationSeconds + 1) * 1000;
    expect(throttle.reserve('carol')).toMatchObject({ ok: false, reason: 'locked', waitSeconds: 30 * 60 });
    db.close();
  });
});
