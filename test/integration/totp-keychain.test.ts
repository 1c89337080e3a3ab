import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CallContext } from '@shared/api-contract';
import { createAuthService } from '../../electron/core/auth/auth-service';
import { totpCode } from '../../electron/core/auth/totp';
import { manualClock } from '../../electron/core/clock';
import { openStore } from '../../electron/core/store/db';
import { updateRole } from '../../electron/core/store/queries/users';
import { keytarSecretStore } from '../../electron/core/vault/keytar-store';
import { createTotpSecrets, totpAccountName } from '../../electron/core/vault/totp-secrets';

// Two-step sign-in (issue 12, point 2) against the real OS keychain (GNOME
// Keyring under dbus-run-session: `node scripts/with-keyring.mjs npx vitest run
// test/integration/totp-keychain.test.ts`). The secret is in the keychain
// only; SQLite records that the user is enrolled and the last code's step.

const service = `Tieout-test-${randomBytes(4).toString('hex')}`;
const store = keytarSecretStore(service);
const profile = randomBytes(4).toString('hex');
const FAST = { N: 2 ** 12, r: 8, p: 1 };
const web = (sessionToken: string | null): CallContext => ({ sessionToken, channel: 'web' });
const PASSWORD = 'supervisor-passphrase';

async function setUp() {
  const dataDir = mkdtempSync(join(tmpdir(), 'tieout-totp-'));
  const db = openStore(dataDir);
  const clock = manualClock(Date.parse('2030-01-01T10:00:00Z'));
  const auth = createAuthService({ db, osUser: 'osuser', isDemo: () => false, clock, scrypt: FAST, totpSecrets: createTotpSecrets(store, profile) });
  const admin = await auth.setup({ userName: 'alice', password: 'alices-password' });
  await auth.createUser({ userName: 'sam', password: PASSWORD, role: 'supervisor' }, web(admin.sessionToken));
  // A new user above clerk starts as a clerk until a second admin approves (issue 12, point 1); that approval is not under test here.
  updateRole(db, 'sam', 'supervisor', clock.iso());
  await auth.createUser({ userName: 'cleo', password: 'cleos-password-1', role: 'clerk' }, web(admin.sessionToken));
  const sam = await auth.signIn({ userName: 'sam', password: PASSWORD });
  return { db, auth, clock, admin: web(admin.sessionToken), sam: web(sam.sessionToken) };
}

describe('TOTP second factor on the real keychain', () => {
  afterAll(async () => {
    for (const u of ['sam', 'cleo']) await store.delete(totpAccountName(profile, u)).catch(() => false);
  });

  it('enrols (secret shown once, confirmed by a first code), then signs in only with a fresh code; replay and wrong codes refused', async () => {
    const { db, auth, clock, sam } = await setUp();
    expect(auth.totpStatus(sam)).toEqual({ eligible: true, enrolled: false, enrolledAt: null });
    await expect(auth.totpBegin({ password: 'not-the-password' }, sam)).rejects.toThrow(/not correct/);
    const started = await auth.totpBegin({ password: PASSWORD }, sam);
    expect(started.uri).toMatch(/^otpauth:\/\/totp\/Tieout:sam\?/);
    expect(started.uri).toContain(`secret=${started.secret}`);
    // Not enrolled until a code proves the app holds the secret.
    await expect(auth.totpConfirm({ code: '000000' === totpCode(started.secret, clock.now()) ? '111111' : '000000' }, sam)).rejects.toMatchObject({ code: 'invalid_args' });
    expect(await store.get(totpAccountName(profile, 'sam'))).toBeNull();
    const first = totpCode(started.secret, clock.now());
    expect(await auth.totpConfirm({ code: first }, sam)).toMatchObject({ eligible: true, enrolled: true, enrolledAt: '2030-01-01T10:00:00.000Z' });

    // The secret is in the keychain, and nowhere in SQLite.
    expect(await store.get(totpAccountName(profile, 'sam'))).toBe(started.secret);
    const everything = JSON.stringify(['users', 'totp_enrolments', 'audit', 'sign_in_failures', 'sessions'].map((t) => db.prepare(`SELECT * FROM ${t}`).all()));
    expect(everything).not.toContain(started.secret);
    expect(auth.users().find((u) => u.userName === 'sam')?.totpEnrolled).toBe(true);

    // The password alone is no longer enough: the engine asks for the code and opens no session.
    await expect(auth.signIn({ userName: 'sam', password: PASSWORD })).rejects.toMatchObject({ code: 'code_required' });
    // The enrolment's own code was used: replay refused.
    await expect(auth.signIn({ userName: 'sam', password: PASSWORD, code: first })).rejects.toThrow(/used already/);
    clock.advance(30_000);
    const next = totpCode(started.secret, clock.now());
    const wrong = next === '123456' ? '654321' : '123456';
    await expect(auth.signIn({ userName: 'sam', password: PASSWORD, code: wrong })).rejects.toThrow(/code is not correct/);
    await expect(auth.signIn({ userName: 'wrong-user', password: PASSWORD, code: next })).rejects.toThrow(/user name or password is not correct/);
    await expect(auth.signIn({ userName: 'sam', password: 'wrong-password', code: next })).rejects.toThrow(/user name or password is not correct/);
    await expect(auth.signIn({ userName: 'sam', password: PASSWORD, code: next })).resolves.toMatchObject({ user: { userName: 'sam' } });
    // The same code a second time (e.g. shoulder-surfed) is refused within its window.
    await expect(auth.signIn({ userName: 'sam', password: PASSWORD, code: next })).rejects.toThrow(/used already/);
    db.close();
  });

  it('throttles codes like passwords: ten wrong codes lock the name for 30 minutes, even with the right code after', async () => {
    const { db, auth, clock, sam } = await setUp();
    const { secret } = await auth.totpBegin({ password: PASSWORD }, sam);
    await auth.totpConfirm({ code: totpCode(secret, clock.now()) }, sam);
    clock.advance(30_000);
    const right = totpCode(secret, clock.now());
    const wrongCodes = Array.from({ length: 10 }, (_, i) => String(100000 + i)).filter((c) => c !== right);
    const results = await Promise.allSettled(wrongCodes.concat(wrongCodes).map((code) => auth.signIn({ userName: 'sam', password: PASSWORD, code })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(0);
    await expect(auth.signIn({ userName: 'sam', password: PASSWORD, code: right })).rejects.toThrow(/Try again in 30 minutes/);
    db.close();
  });

  it('admin policy "require two-step for supervisors and admins": until set up, such a user can do nothing but enrol', async () => {
    const { db, auth, clock, sam, admin } = await setUp();
    expect(auth.signInPolicy()).toEqual({ requireTwoStepForApprovers: false });
    expect(auth.status(sam).twoStepSetupRequired).toBe(false);
    expect(() => auth.authorize('grid:rows', sam)).not.toThrow();
    auth.setSignInPolicy({ requireTwoStepForApprovers: true }, admin);
    expect(auth.status(sam).twoStepSetupRequired).toBe(true);
    expect(() => auth.authorize('grid:rows', sam)).toThrow(/Set up two-step sign-in first/);
    expect(() => auth.authorize('controls:approve', sam)).toThrow(/Set up two-step sign-in first/);
    for (const m of ['auth:totpStatus', 'auth:totpBegin', 'auth:totpConfirm', 'auth:signOut'] as const) expect(() => auth.authorize(m, sam)).not.toThrow();
    // Clerks are not covered.
    const cleo = web((await auth.signIn({ userName: 'cleo', password: 'cleos-password-1' })).sessionToken);
    expect(() => auth.authorize('grid:rows', cleo)).not.toThrow();
    const { secret } = await auth.totpBegin({ password: PASSWORD }, sam);
    await auth.totpConfirm({ code: totpCode(secret, clock.now()) }, sam);
    expect(auth.status(sam).twoStepSetupRequired).toBe(false);
    expect(() => auth.authorize('grid:rows', sam)).not.toThrow();
    const entry = db.prepare("SELECT actor, after_json FROM audit WHERE action = 'policy.sign_in'").get() as { actor: string; after_json: string };
    expect(entry.actor).toBe('alice');
    expect(JSON.parse(entry.after_json)).toEqual({ requireTwoStepForApprovers: true });
    db.close();
  });

  it('a keychain that cannot be read refuses the sign-in with a clear message and counts no failure', async () => {
    const { db, auth, clock, sam } = await setUp();
    const { secret } = await auth.totpBegin({ password: PASSWORD }, sam);
    await auth.totpConfirm({ code: totpCode(secret, clock.now()) }, sam);
    const broken = createAuthService({
      db,
      osUser: 'osuser',
      isDemo: () => false,
      clock,
      scrypt: FAST,
      totpSecrets: { get: () => Promise.reject(new Error('locked')), set: () => Promise.resolve(), clear: () => Promise.resolve() },
    });
    clock.advance(30_000);
    for (let i = 0; i < 12; i++) {
      await expect(broken.signIn({ userName: 'sam', password: PASSWORD, code: totpCode(secret, clock.now()) })).rejects.toMatchObject({ code: 'config', message: /keychain/ });
    }
    expect(auth.users().find((u) => u.userName === 'sam')).toMatchObject({ failedSignIns: 0, lockedUntil: null });
    await expect(auth.signIn({ userName: 'sam', password: PASSWORD, code: totpCode(secret, clock.now()) })).resolves.toMatchObject({ user: { userName: 'sam' } });
    db.close();
  });

  it('disables: the user with their password, or an admin for a lost phone; clerks cannot enrol', async () => {
    const { db, auth, clock, sam, admin } = await setUp();
    const { secret } = await auth.totpBegin({ password: PASSWORD }, sam);
    await auth.totpConfirm({ code: totpCode(secret, clock.now()) }, sam);
    await expect(auth.totpDisable({ password: 'nope-nope-nope' }, sam)).rejects.toThrow(/not correct/);
    expect(await auth.totpDisable({ password: PASSWORD }, sam)).toMatchObject({ enrolled: false });
    expect(await store.get(totpAccountName(profile, 'sam'))).toBeNull();
    await expect(auth.signIn({ userName: 'sam', password: PASSWORD })).resolves.toMatchObject({ user: { userName: 'sam' } });

    const again = await auth.totpBegin({ password: PASSWORD }, sam);
    clock.advance(30_000);
    await auth.totpConfirm({ code: totpCode(again.secret, clock.now()) }, sam);
    expect(await auth.totpReset({ userName: 'sam' }, admin)).toMatchObject({ userName: 'sam', totpEnrolled: false });
    expect(await store.get(totpAccountName(profile, 'sam'))).toBeNull();
    const audit = (db.prepare("SELECT action, actor, object_id FROM audit WHERE action LIKE 'user.totp%' ORDER BY id").all() as Array<{ action: string; actor: string }>).map((a) => `${a.action} by ${a.actor}`);
    expect(audit).toEqual(['user.totp_enrol by sam', 'user.totp_remove by sam', 'user.totp_enrol by sam', 'user.totp_remove by alice']);

    const cleo = await auth.signIn({ userName: 'cleo', password: 'cleos-password-1' });
    expect(auth.totpStatus(web(cleo.sessionToken))).toMatchObject({ eligible: false });
    await expect(auth.totpBegin({ password: 'cleos-password-1' }, web(cleo.sessionToken))).rejects.toMatchObject({ code: 'forbidden' });
    db.close();
  });
});
