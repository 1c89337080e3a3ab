import { create } from 'zustand';

// Whether the approvals inbox is open (UI state only).
export const useInboxUi = create<Readonly<{ open: boolean; setOpen: (open: boolean) => void }>>()((set) => ({
  open: false,
  setOpen: (open) => set({ open }),
}));
