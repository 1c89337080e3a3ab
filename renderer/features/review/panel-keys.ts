import type { Shortcut } from '../../shortcuts';

// The detail panel's shortcuts (1–9, n, e, x, o, Esc) need the payment it
// shows; the panel registers a handler while it is open and keyboard.ts hands
// it the matched shortcut.

type PanelKeyHandler = (shortcut: Shortcut, key: string) => boolean;

let handler: PanelKeyHandler | null = null;

export function setPanelKeyHandler(next: PanelKeyHandler | null): void {
  handler = next;
}

/** Runs a panel shortcut; false when no panel handles it (the queue's meaning then applies). */
export function runPanelKey(shortcut: Shortcut, key: string): boolean {
  return handler?.(shortcut, key) ?? false;
}
