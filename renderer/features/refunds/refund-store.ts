import { create } from 'zustand';

// Whether the Refunds queue is open (UI state only).
export const useRefundsUi = create<Readonly<{ open: boolean; setOpen: (open: boolean) => void }>>()((set) => ({
  open: false,
  setOpen: (open) => set({ open }),
}));
