import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { accountName, createCredentialVault } from '../../electron/core/vault/credential-vault';
import { keytarSecretStore } from '../../electron/core/vault/keytar-store';

// Runs against the real OS keychain (GNOME Keyring under dbus-run-session in CI).
const service = `Tieout-test-${randomBytes(4).toString('hex')}`;
const store = keytarSecretStore(service);
const profile = randomBytes(4).toString('hex');

describe('credential vault on the real keychain', () => {
  afterAll(async () => {
    for (const c of ['paytrace', 'erp'] as const) await store.delete(accountName(profile, c)).catch(() => false);
  });

  it('stores, reads, replaces and clears credentials; reports only set / not set', async () => {
    const vault = createCredentialVault(store, profile);
    expect(await vault.status()).toEqual({ paytrace: 'not set', erp: 'not set' });
    await vault.set('paytrace', { username: 'api_user', password: 's3cr3t-one' });
    expect(await vault.get('paytrace')).toEqual({ username: 'api_user', password: 's3cr3t-one' });
    expect(await vault.status()).toEqual({ paytrace: 'set', erp: 'not set' });
    // The keychain entry is where the secret lives: read it back through keytar directly.
    expect(await store.get(accountName(profile, 'paytrace'))).toContain('s3cr3t-one');
    await vault.set('paytrace', { username: 'api_user', password: 's3cr3t-two' });
    expect((await vault.get('paytrace'))?.password).toBe('s3cr3t-two');
    await vault.clear('paytrace');
    expect(await vault.get('paytrace')).toBeNull();
    expect(await store.get(accountName(profile, 'paytrace'))).toBeNull();
  });

  it('keeps two data folders (profiles) apart', async () => {
    const other = `${profile}x`;
    const a = createCredentialVault(store, profile);
    const b = createCredentialVault(store, other);
    await a.set('erp', { username: 'a', password: 'pa' });
    await b.set('erp', { username: 'b', password: 'pb' });
    expect((await a.get('erp'))?.username).toBe('a');
    expect((await b.get('erp'))?.username).toBe('b');
    await b.clear('erp');
    expect(await a.get('erp')).not.toBeNull();
  });
});
