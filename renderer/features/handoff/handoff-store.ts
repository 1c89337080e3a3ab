import { create } from 'zustand';
import type { HandoffSession } from '@shared/api/offline';

// Which hand-off screen is open, and the file under review on this
// installation. The session lives in the engine (handoff_sessions); this is
// the last copy it answered with.

export type HandoffScreen = 'none' | 'review' | 'import';

type HandoffState = Readonly<{
  screen: HandoffScreen;
  session: HandoffSession | null;
  show: (screen: HandoffScreen) => void;
  setSession: (session: HandoffSession | null) => void;
}>;

export const useHandoff = create<HandoffState>()((set) => ({
  screen: 'none',
  session: null,
  show: (screen) => set({ screen }),
  setSession: (session) => set({ session }),
}));
