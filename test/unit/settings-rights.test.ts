import { describe, expect, it } from 'vitest';
import { apiContract } from '@shared/api-contract';
import { SETTINGS_WRITERS, maySave, readOnlyNotice } from '@shared/settings-rights';

// The renderer's copy of who may save settings agrees with the API contract
// (the engine's own check): a role change there without one here fails.

describe('settings rights', () => {
  it('each settings write names the role the contract demands', () => {
    for (const [method, role] of Object.entries(SETTINGS_WRITERS)) {
      expect(apiContract[method as keyof typeof apiContract].role, method).toBe(role);
    }
  });

  it('only an admin may save; the notice says who may', () => {
    const user = (role: 'clerk' | 'supervisor' | 'admin') => ({ userName: role, displayName: role, role, createdAt: '2026-12-01T00:00:00Z' });
    expect(maySave(user('clerk'), 'settings:save')).toBe(false);
    expect(maySave(user('supervisor'), 'settings:save')).toBe(false);
    expect(maySave(user('admin'), 'settings:save')).toBe(true);
    expect(maySave(null, 'settings:save')).toBe(false);
    expect(readOnlyNotice(user('clerk'), 'the connection settings', 'settings:save')).toBe('Read only: only an admin can change the connection settings (you are signed in as clerk, clerk).');
  });
});
