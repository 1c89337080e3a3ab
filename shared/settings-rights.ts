import type { UserView } from './api/auth';

// Who may save what in Settings, as the API contract says (shared/api/*.ts;
// test/unit/settings-rights.test.ts keeps the two in step). The renderer does
// not import the contract itself (its schemas would weigh on the first
// screen). The engine refuses anyway; this only keeps the fields read-only for
// everyone else instead of letting them edit and be refused on Save.
export const SETTINGS_WRITERS = {
  'settings:save': 'admin',
  'credentials:set': 'admin',
  'credentials:clear': 'admin',
  'erp:mappingSave': 'admin',
  'matching:setRules': 'admin',
} as const satisfies Record<string, UserView['role']>;

export type SettingsWrite = keyof typeof SETTINGS_WRITERS;

const RANK = { clerk: 1, supervisor: 2, admin: 3 } as const;

export function maySave(user: Pick<UserView, 'role'> | null, write: SettingsWrite): boolean {
  return !!user && RANK[user.role] >= RANK[SETTINGS_WRITERS[write]];
}

/** The line shown above read-only settings: who may change them. */
export function readOnlyNotice(user: Pick<UserView, 'userName' | 'role'> | null, what: string, write: SettingsWrite): string {
  const who = SETTINGS_WRITERS[write] === 'admin' ? 'an admin' : `a ${SETTINGS_WRITERS[write]}`;
  return `Read only: only ${who} can change ${what}${user ? ` (you are signed in as ${user.userName}, ${user.role})` : ''}.`;
}
