// Every keyboard shortcut, in one table: keyboard.ts and the detail panel
// dispatch through `matchShortcut`, and the `?` help lists this table, so the
// help cannot drift from what the keys do.

export type ShortcutScope = 'anywhere' | 'queue' | 'panel';

export type Shortcut = Readonly<{
  id: string;
  /** What the help shows ("Ctrl+K", "1–9"). */
  label: string;
  description: string;
  scope: ShortcutScope;
  /** Whether a key event is this shortcut (modifiers included). */
  matches: (e: KeyLike) => boolean;
}>;

/** The part of a KeyboardEvent the table reads (a plain object in unit tests). */
export type KeyLike = Readonly<{ key: string; ctrlKey?: boolean; metaKey?: boolean; shiftKey?: boolean; altKey?: boolean }>;

const mod = (e: KeyLike) => Boolean(e.ctrlKey || e.metaKey);
const plain = (key: string) => (e: KeyLike) => !mod(e) && !e.altKey && e.key === key;
const withMod = (key: string) => (e: KeyLike) => mod(e) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === key;
const digit = (e: KeyLike) => !mod(e) && !e.altKey && /^[1-9]$/.test(e.key);

export const SHORTCUTS: readonly Shortcut[] = [
  { id: 'help', label: '?', description: 'Show this list of shortcuts', scope: 'anywhere', matches: (e) => !mod(e) && !e.altKey && e.key === '?' },
  { id: 'palette', label: 'Ctrl+K', description: 'Command palette: go to a tab, run an action, open help', scope: 'anywhere', matches: withMod('k') },
  { id: 'undo', label: 'Ctrl+Z', description: 'Undo your last review action (before its posting starts)', scope: 'anywhere', matches: withMod('z') },
  { id: 'select-all', label: 'Ctrl+A', description: 'Select every row of the view', scope: 'queue', matches: withMod('a') },
  { id: 'search', label: '/', description: 'Search (field filters: amount>1000, customer:acme, status:review …)', scope: 'queue', matches: plain('/') },
  { id: 'tab', label: '1–9', description: 'Go to the tab in that position (1 = Auto … 8 = All)', scope: 'queue', matches: digit },
  { id: 'next', label: 'j / ↓', description: 'Next row', scope: 'queue', matches: (e) => plain('j')(e) || plain('ArrowDown')(e) },
  { id: 'previous', label: 'k / ↑', description: 'Previous row', scope: 'queue', matches: (e) => plain('k')(e) || plain('ArrowUp')(e) },
  { id: 'toggle', label: 'Space', description: 'Tick or untick the focused row', scope: 'queue', matches: plain(' ') },
  { id: 'approve', label: 'a', description: 'Approve the selected rows (or the focused one)', scope: 'queue', matches: plain('a') },
  { id: 'open', label: 'Enter', description: 'Open the focused row in the detail panel', scope: 'queue', matches: plain('Enter') },
  { id: 'pick', label: '1–9', description: 'Use candidate N for this payment', scope: 'panel', matches: digit },
  { id: 'note', label: 'n', description: 'Write a note', scope: 'panel', matches: plain('n') },
  { id: 'edit', label: 'e', description: 'Edit the allocation', scope: 'panel', matches: plain('e') },
  { id: 'exception', label: 'x', description: 'Mark as exception (choose the reason)', scope: 'panel', matches: plain('x') },
  { id: 'own', label: 'o', description: 'Take ownership (or release it)', scope: 'panel', matches: plain('o') },
  { id: 'close', label: 'Esc', description: 'Close the panel and return to the row', scope: 'panel', matches: plain('Escape') },
];

export const SCOPE_LABELS: Record<ShortcutScope, string> = {
  anywhere: 'Anywhere',
  queue: 'Work queue',
  panel: 'Detail panel open',
};

/**
 * The shortcut a key event means. With the detail panel open its keys win over
 * the queue's (1–9 pick a candidate instead of a tab).
 */
export function matchShortcut(e: KeyLike, panelOpen: boolean): Shortcut | null {
  const order: readonly ShortcutScope[] = panelOpen ? ['anywhere', 'panel', 'queue'] : ['anywhere', 'queue'];
  for (const scope of order) {
    const hit = SHORTCUTS.find((s) => s.scope === scope && s.matches(e));
    if (hit) return hit;
  }
  return null;
}

export function shortcut(id: string): Shortcut {
  const s = SHORTCUTS.find((x) => x.id === id);
  if (!s) throw new Error(`No shortcut ${id}`);
  return s;
}
