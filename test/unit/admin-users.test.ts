import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiContract, type CallContext } from '@shared/api-contract';
import { createAuthService } from '../../electron/core/auth/auth-service';
import { createPendingChangeService } from '../../electron/core/approval/pending-changes';
import { requirementFor } from '../../electron/core/auth/permissions';
import { openStore } from '../../electron/core/store/db';

// The admin's Users screen rests on these engine rules: the list shows last
// sign-in and lock state, the last admin cannot be demoted, and a password
// reset is admin-only, audited without the password, ends the user's sessions
// and clears their sign-in lock.

const FAST = { N: 2 ** 12, r: 8, p: 1 };
const web = (sessionToken: string | null): CallContext => ({ sessionToken, channel: 'web' });

async function setUp() {
  const db = openStore(mkdtempSync(join(tmpdir(), 'tieout-admin-')));
  let clock = new Date('2030-01-01T10:00:00Z');
  const auth = createAuthService({ db, osUser: 'osuser', isDemo: () => false, scrypt: FAST, now: () => clock });
  const admin = await auth.setup({ userName: 'alice', password: 'alices-password' });
  const changes = createPendingChangeService({ db, auth });
  return { db, auth, changes, admin: web(admin.sessionToken), tick: (ms: number) => (clock = new Date(clock.getTime() + ms)) };
}

describe('admin: users', () => {
  it('lists last sign-in and the sign-in lock, never the hash', async () => {
    const { db, auth, admin, tick } = await setUp();
    await auth.createUser({ userName: 'bob', password: 'bobs-password-1', role: 'clerk', displayName: 'Bob B' }, admin);
    expect(auth.users().find((u) => u.userName === 'bob')).toMatchObject({ role: 'clerk', displayName: 'Bob B', lastSignInAt: null, lockedUntil: null, failedSignIns: 0 });
    tick(60_000);
    await auth.signIn({ userName: 'bob', password: 'bobs-password-1' });
    expect(auth.users().find((u) => u.userName === 'bob')?.lastSignInAt).toBe('2030-01-01T10:01:00.000Z');
    // PCI DSS v4 8.3.4: locked after 10 failures for 30 minutes.
    for (let i = 0; i < 10; i++) await expect(auth.signIn({ userName: 'bob', password: 'wrong' })).rejects.toThrow();
    const locked = auth.users().find((u) => u.userName === 'bob')!;
    expect(locked.failedSignIns).toBe(10);
    expect(locked.lockedUntil).toBe('2030-01-01T10:31:00.000Z');
    tick(30 * 60_000 + 1_000);
    expect(auth.users().find((u) => u.userName === 'bob')?.lockedUntil).toBeNull();
    expect(JSON.stringify(auth.users())).not.toMatch(/scrypt|password/);
    db.close();
  });

  it('never demotes the last admin; with a second admin the first can step down', async () => {
    const { db, auth, changes, admin } = await setUp();
    expect(() => auth.setRole({ userName: 'alice', role: 'supervisor' }, admin)).toThrow(/alice is the last admin/);
    expect(auth.users().find((u) => u.userName === 'alice')?.role).toBe('admin');
    await auth.createUser({ userName: 'carol', password: 'carols-password', role: 'clerk' }, admin);
    // A promotion waits for a second admin (four-eyes on roles): here the local CLI (the OS user) approves it.
    expect(auth.setRole({ userName: 'carol', role: 'admin' }, admin).role).toBe('clerk');
    await changes.approve({ changeId: changes.list()[0]!.id, password: 'not-asked-on-the-cli' }, { channel: 'cli', sessionToken: null });
    expect(auth.users().find((u) => u.userName === 'carol')?.role).toBe('admin');
    expect(auth.setRole({ userName: 'alice', role: 'clerk' }, admin).role).toBe('clerk');
    // Now carol is the last one.
    expect(() => auth.setRole({ userName: 'carol', role: 'clerk' }, web(null))).toThrow(/carol is the last admin/);
    const audit = db.prepare("SELECT actor, before_json, after_json FROM audit WHERE action = 'user.set_role' ORDER BY id").all() as Array<{ actor: string }>;
    expect(audit.map((a) => a.actor)).toEqual(['osuser', 'alice']);
    db.close();
  });

  it('resets a password: admin-only, audited without it, sessions end, lock clears', async () => {
    const { db, auth, admin } = await setUp();
    expect(requirementFor('auth:resetPassword')).toBe('admin');
    expect(apiContract['auth:resetPassword'].args.safeParse({ userName: 'bob', password: 'short' }).success).toBe(false);
    // PCI DSS v4 8.3.6: 11 characters are refused, by the contract and by the engine itself.
    expect(apiContract['auth:resetPassword'].args.safeParse({ userName: 'bob', password: '11-chars-ab' }).success).toBe(false);
    expect(apiContract['auth:createUser'].args.safeParse({ userName: 'x', password: '11-chars-ab', role: 'clerk' }).success).toBe(false);
    expect(apiContract['auth:setup'].args.safeParse({ userName: 'x', password: '11-chars-ab' }).success).toBe(false);
    expect(apiContract['auth:createUser'].args.safeParse({ userName: 'x', password: '12-chars-abc', role: 'clerk' }).success).toBe(true);
    await expect(auth.createUser({ userName: 'dave', password: '11-chars-ab', role: 'clerk' }, admin)).rejects.toMatchObject({ code: 'invalid_args', message: /at least 12 characters/ });
    await auth.createUser({ userName: 'bob', password: 'bobs-password-1', role: 'clerk' }, admin);
    const bob = await auth.signIn({ userName: 'bob', password: 'bobs-password-1' });
    expect(() => auth.authorize('auth:resetPassword', web(bob.sessionToken))).toThrow(/needs the admin role/);
    for (let i = 0; i < 11; i++) await expect(auth.signIn({ userName: 'bob', password: 'wrong' })).rejects.toThrow();
    await expect(auth.resetPassword({ userName: 'nobody', password: 'whatever-123' }, admin)).rejects.toMatchObject({ code: 'not_found' });

    const after = await auth.resetPassword({ userName: 'bob', password: 'brand-new-secret-9' }, admin);
    expect(after).toMatchObject({ userName: 'bob', lockedUntil: null, failedSignIns: 0 });
    // The old session is over; the old password no longer works; the new one does at once.
    expect(() => auth.authorize('grid:rows', web(bob.sessionToken))).toThrow();
    await expect(auth.signIn({ userName: 'bob', password: 'bobs-password-1' })).rejects.toThrow(/not correct/);
    await expect(auth.signIn({ userName: 'bob', password: 'brand-new-secret-9' })).resolves.toMatchObject({ user: { userName: 'bob' } });
    const entry = db.prepare("SELECT actor, object_id, after_json FROM audit WHERE action = 'user.reset_password'").get() as { actor: string; object_id: string; after_json: string };
    expect(entry).toMatchObject({ actor: 'alice', object_id: 'bob' });
    const everything = JSON.stringify([db.prepare('SELECT * FROM audit').all(), db.prepare('SELECT * FROM users').all()]);
    expect(everything).not.toContain('brand-new-secret-9');
    db.close();
  });
});
