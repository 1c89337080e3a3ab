import { create } from 'zustand';

export type ToastTone = 'info' | 'success' | 'warning' | 'error';
export type Toast = Readonly<{ id: number; tone: ToastTone; title: string; lines: readonly string[] }>;

type ToastState = Readonly<{
  toasts: readonly Toast[];
  push: (tone: ToastTone, title: string, lines?: readonly string[]) => void;
  dismiss: (id: number) => void;
}>;

let nextId = 1;
const AUTO_DISMISS_MS: Record<ToastTone, number | null> = { info: 4000, success: 4000, warning: 9000, error: null };

export const useToasts = create<ToastState>()((set, get) => ({
  toasts: [],
  push(tone, title, lines = []) {
    const id = nextId++;
    // Keep the stack short: a burst of failures must not bury the grid.
    set({ toasts: [...get().toasts.slice(-4), { id, tone, title, lines }] });
    const ms = AUTO_DISMISS_MS[tone];
    if (ms !== null) window.setTimeout(() => get().dismiss(id), ms);
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
}));

export function toast(tone: ToastTone, title: string, lines?: readonly string[]): void {
  useToasts.getState().push(tone, title, lines);
}
