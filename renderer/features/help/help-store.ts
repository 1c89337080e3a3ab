import { create } from 'zustand';

// Which help surface is open: the `?` shortcut list, the Ctrl+K palette, or a
// docs topic in the Help panel (one at a time).

type HelpState = Readonly<{
  shortcutsOpen: boolean;
  paletteOpen: boolean;
  /** The docs topic shown in the Help panel; null when it is closed. */
  topic: string | null;
  setShortcutsOpen: (open: boolean) => void;
  setPaletteOpen: (open: boolean) => void;
  openTopic: (topic: string | null) => void;
}>;

export const useHelp = create<HelpState>()((set) => ({
  shortcutsOpen: false,
  paletteOpen: false,
  topic: null,
  setShortcutsOpen: (shortcutsOpen) => set({ shortcutsOpen, paletteOpen: false, topic: null }),
  setPaletteOpen: (paletteOpen) => set({ paletteOpen, shortcutsOpen: false }),
  openTopic: (topic) => set({ topic, paletteOpen: false, shortcutsOpen: false }),
}));

/** True while an overlay owns the keyboard (the queue's single-key shortcuts stay quiet). */
export function helpOverlayOpen(): boolean {
  const s = useHelp.getState();
  return s.shortcutsOpen || s.paletteOpen || s.topic !== null;
}
