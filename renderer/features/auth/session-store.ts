import { create } from 'zustand';
import type { AuthStatus, UserView } from '@shared/api/auth';
import { errorMessage, invoke } from '../../api/client';

// Who is signed in, as the engine last said. The session token itself never
// reaches renderer code: the binding keeps it.

type SessionState = Readonly<{
  status: AuthStatus | null;
  error: string | null;
  /** This window signed out (the engine then knows no session for it, so the status alone cannot say so). */
  signedOutHere: boolean;
  refresh: () => Promise<void>;
  signedIn: (user: UserView) => void;
  signOut: () => Promise<void>;
}>;

export const useSession = create<SessionState>()((set, get) => ({
  status: null,
  error: null,
  signedOutHere: false,
  async refresh() {
    try {
      set({ status: await invoke('auth:status', {}), error: null });
    } catch (e) {
      set({ error: errorMessage(e) });
    }
  },
  signedIn(user) {
    const status = get().status;
    // Supervisors and admins wait for the engine's word: it may require two-step setup before anything else.
    if (status && user.role === 'clerk') set({ status: { ...status, setupNeeded: false, locked: false, endedBy: null, user, twoStepSetupRequired: false }, signedOutHere: false });
    else set({ signedOutHere: false });
    void get().refresh();
  },
  async signOut() {
    try {
      await invoke('auth:signOut', {});
      set({ signedOutHere: true });
    } finally {
      await get().refresh();
    }
  },
}));

export function useUser(): UserView | null {
  return useSession((s) => s.status?.user ?? null);
}

export function hasRole(user: UserView | null, role: UserView['role']): boolean {
  const rank = { clerk: 1, supervisor: 2, admin: 3 } as const;
  return !!user && rank[user.role] >= rank[role];
}
