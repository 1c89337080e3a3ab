import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiFailure, apiContract, METHOD_NAMES, type CallContext } from '@shared/api-contract';
import { createPendingChangeService } from '../../electron/core/approval/pending-changes';
import { createAuthService, DEMO_PASSWORD } from '../../electron/core/auth/auth-service';
import { hashPassword, parsePasswordHash, verifyPassword } from '../../electron/core/auth/password';
import { hasRole, requirementFor } from '../../electron/core/auth/permissions';
import { openStore } from '../../electron/core/store/db';

const FAST = { N: 2 ** 12, r: 8, p: 1 };

function store() {
  return openStore(mkdtempSync(join(tmpdir(), 'tieout-auth-')));
}

const web = (sessionToken: string | null): CallContext => ({ sessionToken, channel: 'web' });

function failure(fn: () => unknown): ApiFailure {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiFailure) return e;
    throw e;
  }
  throw new Error('expected an ApiFailure');
}

describe('passwords (scrypt)', () => {
  it('hashes with a per-user salt and memory-hard default parameters, and verifies', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).not.toBe(b);
    expect(parsePasswordHash(a).params).toEqual({ N: 32768, r: 8, p: 1 });
    expect(a).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', b)).toBe(false);
  });

  it('refuses a stored hash it cannot read', async () => {
    await expect(verifyPassword('x', 'md5$abc')).rejects.toThrow(/scrypt\$N\$r\$p/);
  });
});

describe('permission map', () => {
  it('keeps the reconciliation slice for clerks and decisions for supervisors and admins', () => {
    for (const m of ['grid:rows', 'grid:detail', 'matches:approve', 'sync:now', 'refunds:request', 'refunds:list'] as const) expect(requirementFor(m)).toBe('clerk');
    for (const m of ['refunds:approve', 'refunds:reject', 'refunds:execute'] as const) expect(requirementFor(m)).toBe('supervisor');
    for (const m of ['settings:save', 'credentials:set', 'credentials:clear', 'auth:createUser', 'auth:setRole', 'refunds:setPolicy'] as const) expect(requirementFor(m)).toBe('admin');
    for (const m of ['app:info', 'auth:status', 'auth:signIn', 'auth:setup'] as const) expect(requirementFor(m)).toBe('public');
    // Only those four are open without a session.
    expect(METHOD_NAMES.filter((m) => apiContract[m].role === 'public').sort()).toEqual(['app:info', 'auth:setup', 'auth:signIn', 'auth:status']);
    expect(METHOD_NAMES.filter((m) => requirementFor(m) === 'public')).toHaveLength(4);
    expect(hasRole('admin', 'supervisor')).toBe(true);
    expect(hasRole('clerk', 'supervisor')).toBe(false);
  });
});

describe('auth service', () => {
  it('first run: setup creates one admin only; sessions, idle lock, roles and the authorize hook', async () => {
    const db = store();
    let clock = new Date('2030-01-01T10:00:00Z');
    const auth = createAuthService({ db, osUser: 'osuser', isDemo: () => false, idleMinutes: 10, scrypt: FAST, now: () => clock });
    expect(auth.status(web(null))).toMatchObject({ setupNeeded: true, user: null, suggestedUserName: 'osuser', demo: null });
    // Before setup nothing but the public methods works.
    expect(failure(() => auth.authorize('grid:rows', web(null))).code).toBe('unauthenticated');
    const admin = await auth.setup({ userName: 'alice', password: 'a-long-password' });
    expect(admin.user.role).toBe('admin');
    await expect(auth.setup({ userName: 'mallory', password: 'a-long-password' })).rejects.toMatchObject({ code: 'conflict' });
    // The token is stored hashed only.
    expect(JSON.stringify(db.prepare('SELECT * FROM sessions').all())).not.toContain(admin.sessionToken);
    expect(JSON.stringify(db.prepare('SELECT * FROM users').all())).not.toContain('a-long-password');

    await auth.createUser({ userName: 'bob', password: 'bobs-password-1', role: 'clerk' }, web(admin.sessionToken));
    const bob = await auth.signIn({ userName: 'bob', password: 'bobs-password-1' });
    expect(() => auth.authorize('grid:rows', web(bob.sessionToken))).not.toThrow();
    const forbidden = failure(() => auth.authorize('refunds:approve', web(bob.sessionToken)));
    expect(forbidden.code).toBe('forbidden');
    expect(forbidden.message).toMatch(/refunds:approve needs the supervisor role; bob is signed in as clerk/);
    expect(failure(() => auth.authorize('settings:save', web(bob.sessionToken))).code).toBe('forbidden');
    expect(auth.actorFor(web(bob.sessionToken))).toBe('bob');
    // The CLI is the local admin tool, acting as the OS user.
    expect(() => auth.authorize('settings:save', { sessionToken: null, channel: 'cli' })).not.toThrow();
    expect(auth.actorFor({ sessionToken: null, channel: 'cli' })).toBe('osuser');

    // Idle lock: 11 minutes without a call.
    clock = new Date(clock.getTime() + 11 * 60_000);
    const locked = failure(() => auth.authorize('grid:rows', web(bob.sessionToken)));
    expect(locked.code).toBe('unauthenticated');
    expect(locked.message).toMatch(/locked after 10 minutes/);
    expect(auth.status(web(bob.sessionToken))).toMatchObject({ locked: true, user: null, suggestedUserName: 'bob' });

    // Role change ends the user's sessions; the last admin cannot be demoted.
    const bob2 = await auth.signIn({ userName: 'bob', password: 'bobs-password-1' });
    auth.setRole({ userName: 'bob', role: 'supervisor' }, { sessionToken: null, channel: 'cli' });
    // A promotion waits for a second admin (issue 12): bob keeps his session until alice approves it.
    expect(() => auth.authorize('grid:rows', web(bob2.sessionToken))).not.toThrow();
    const alice = await auth.signIn({ userName: 'alice', password: 'a-long-password' });
    const [promotion] = createPendingChangeService({ db, auth }).list();
    await createPendingChangeService({ db, auth }).approve({ changeId: promotion!.id, password: 'a-long-password' }, web(alice.sessionToken));
    expect(failure(() => auth.authorize('grid:rows', web(bob2.sessionToken))).code).toBe('unauthenticated');
    expect(() => auth.setRole({ userName: 'alice', role: 'clerk' }, { sessionToken: null, channel: 'cli' })).toThrow(/last admin/);

    // Sign-out ends the session and tells the bindings to drop it.
    const bob3 = await auth.signIn({ userName: 'bob', password: 'bobs-password-1' });
    expect(auth.signOut(web(bob3.sessionToken))).toEqual({ sessionToken: null });
    expect(failure(() => auth.authorize('grid:rows', web(bob3.sessionToken))).code).toBe('unauthenticated');
    db.close();
  });

  it('moves demo users seeded with the 11-character demo password to the 12-character one (PCI DSS v4 8.3.6)', async () => {
    const db = store();
    const auth = createAuthService({ db, osUser: 'osuser', isDemo: () => true, scrypt: FAST });
    await auth.seedDemoUsers();
    // A demo folder from before: the old password, as the seed then stored it.
    db.prepare('UPDATE users SET password_hash = ?').run(await hashPassword('tieout-demo', FAST));
    await auth.seedDemoUsers();
    expect(DEMO_PASSWORD.length).toBeGreaterThanOrEqual(12);
    await expect(auth.signIn({ userName: 'admin', password: DEMO_PASSWORD })).resolves.toMatchObject({ user: { role: 'admin' } });
    await expect(auth.signIn({ userName: 'clerk', password: 'tieout-demo' })).rejects.toThrow(/not correct/);
    db.close();
  });

  it('rate-limits failed sign-ins per user name, also for unknown names', async () => {
    const db = store();
    let clock = new Date('2030-01-01T10:00:00Z');
    const auth = createAuthService({ db, osUser: 'osuser', isDemo: () => true, scrypt: FAST, now: () => clock });
    await auth.seedDemoUsers();
    expect(auth.status(web(null)).demo?.users.map((u) => u.userName)).toEqual(['clerk', 'supervisor', 'supervisor2', 'admin']);
    for (let i = 0; i < 9; i++) await expect(auth.signIn({ userName: 'clerk', password: 'wrong' })).rejects.toThrow('The user name or password is not correct.');
    await expect(auth.signIn({ userName: 'clerk', password: 'wrong' })).rejects.toThrow(/locked for 30 minutes/);
    // Even the right password is refused while locked.
    await expect(auth.signIn({ userName: 'clerk', password: DEMO_PASSWORD })).rejects.toThrow(/Try again in 30 minutes/);
    // Another user is not affected.
    await expect(auth.signIn({ userName: 'supervisor', password: DEMO_PASSWORD })).resolves.toMatchObject({ user: { role: 'supervisor' } });
    clock = new Date(clock.getTime() + 29 * 60_000);
    await expect(auth.signIn({ userName: 'clerk', password: DEMO_PASSWORD })).rejects.toThrow(/Try again in 60 s/);
    clock = new Date(clock.getTime() + 61_000);
    await expect(auth.signIn({ userName: 'clerk', password: DEMO_PASSWORD })).resolves.toMatchObject({ user: { userName: 'clerk' } });
    // Unknown names are throttled the same way (no user enumeration by timing or message).
    for (let i = 0; i < 10; i++) await expect(auth.signIn({ userName: 'ghost', password: 'x' })).rejects.toThrow(/not correct/);
    await expect(auth.signIn({ userName: 'ghost', password: 'x' })).rejects.toThrow(/Try again/);
    // Failures are audited without the password.
    const audit = JSON.stringify(db.prepare("SELECT * FROM audit WHERE action LIKE 'auth.%'").all());
    expect(audit).toContain('auth.sign_in.failed');
    expect(audit).not.toContain('wrong');
    db.close();
  });
});
