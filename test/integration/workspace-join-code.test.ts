import { describe, expect, it } from 'vitest';
import { JOIN_CODE_PREFIX, openJoinCode, sealJoinCode, type JoinPayload } from '../../electron/core/team/workspace-join-code';
import { parseWorkspaceUrl } from '../../electron/core/team/workspace-admin';

// The join code: round trip, and every way it must refuse (wrong passphrase,
// one character changed, cut short, not a code, too short a passphrase); and
// the workspace URL, which must never carry the password.

const payload: JoinPayload = {
  workspaceId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  profileId: '0123456789abcdef',
  auditKey: { key: Buffer.alloc(32, 7).toString('base64'), keyedFrom: 3 },
  credentials: { erp: { username: 'erp-user', password: 'erp-secret-value' } },
};
const PASSPHRASE = 'twelve chars or more';

describe('join codes', () => {
  it('round-trips and hides its contents', async () => {
    const code = await sealJoinCode(payload, PASSPHRASE);
    expect(code.startsWith(JOIN_CODE_PREFIX)).toBe(true);
    expect(code).not.toContain('erp-secret-value');
    expect(Buffer.from(code.slice(JOIN_CODE_PREFIX.length), 'base64url').toString('latin1')).not.toContain('erp-secret-value');
    // Pasted with line breaks it still opens.
    expect(await openJoinCode(code.replace(/(.{40})/g, '$1\n'), PASSPHRASE)).toEqual(payload);
  });

  it('refuses a wrong passphrase, a changed or cut code, and something else', async () => {
    const code = await sealJoinCode(payload, PASSPHRASE);
    await expect(openJoinCode(code, 'twelve chars or less')).rejects.toThrow(/passphrase is wrong, or the code was changed/);
    const i = JOIN_CODE_PREFIX.length + 40;
    const flipped = code.slice(0, i) + (code[i] === 'A' ? 'B' : 'A') + code.slice(i + 1);
    await expect(openJoinCode(flipped, PASSPHRASE)).rejects.toThrow(/passphrase is wrong, or the code was changed/);
    await expect(openJoinCode(code.slice(0, JOIN_CODE_PREFIX.length + 20), PASSPHRASE)).rejects.toThrow(/incomplete or damaged/);
    await expect(openJoinCode('hello', PASSPHRASE)).rejects.toThrow(/not a Tieout join code/);
    await expect(sealJoinCode(payload, 'short')).rejects.toThrow(/at least 12 characters/);
  });
});

describe('workspace URLs', () => {
  it('reads host, port, database, user, TLS mode and CA file; verify-full by default', () => {
    expect(parseWorkspaceUrl('postgresql://ar%20team@db.example.com:6432/ar_team?sslmode=verify-ca&sslrootcert=/etc/ca.pem')).toEqual({
      host: 'db.example.com',
      port: 6432,
      database: 'ar_team',
      user: 'ar team',
      ssl: 'verify-ca',
      caFile: '/etc/ca.pem',
    });
    expect(parseWorkspaceUrl('postgres://u@h/d')).toMatchObject({ port: 5432, ssl: 'verify-full' });
  });

  it('refuses a password in the URL, an unknown TLS mode and missing parts', () => {
    expect(() => parseWorkspaceUrl('postgresql://u:secret@h/d')).toThrow(/Leave the password out of the URL/);
    expect(() => parseWorkspaceUrl('postgresql://u@h/d?sslmode=prefer')).toThrow(/sslmode prefer is not one Tieout uses/);
    expect(() => parseWorkspaceUrl('postgresql://h/d')).toThrow(/needs a user, a host and a database/);
    expect(() => parseWorkspaceUrl('mysql://u@h/d')).toThrow(/starts with postgresql:\/\//);
  });
});
