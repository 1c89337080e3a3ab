import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchShortcut, SHORTCUTS } from '../../renderer/shortcuts';

describe('the shortcut table', () => {
  it('gives each key its meaning by scope: with the panel open 1–9 pick a candidate, otherwise a tab', () => {
    expect(matchShortcut({ key: '2' }, false)?.id).toBe('tab');
    expect(matchShortcut({ key: '2' }, true)?.id).toBe('pick');
    expect(matchShortcut({ key: 'n' }, true)?.id).toBe('note');
    expect(matchShortcut({ key: 'n' }, false)).toBeNull();
    expect(matchShortcut({ key: 'k', ctrlKey: true }, false)?.id).toBe('palette');
    expect(matchShortcut({ key: 'K', metaKey: true }, true)?.id).toBe('palette');
    expect(matchShortcut({ key: 'k' }, false)?.id).toBe('previous');
    expect(matchShortcut({ key: '?', shiftKey: true }, false)?.id).toBe('help');
    expect(matchShortcut({ key: 'Escape' }, true)?.id).toBe('close');
    // `a` approves in the queue, also with the panel open (the panel has no `a` of its own).
    expect(matchShortcut({ key: 'a' }, true)?.id).toBe('approve');
  });

  it('has unique ids, and no two shortcuts of one scope claim the same key', () => {
    expect(new Set(SHORTCUTS.map((s) => s.id)).size).toBe(SHORTCUTS.length);
    const keys = ['?', '/', 'a', 'e', 'j', 'k', 'n', 'o', 'x', ' ', 'Enter', 'Escape', 'ArrowDown', 'ArrowUp', ...'123456789'];
    for (const scope of ['anywhere', 'queue', 'panel'] as const) {
      for (const key of keys) {
        for (const mods of [{}, { ctrlKey: true }]) {
          const hits = SHORTCUTS.filter((s) => s.scope === scope && s.matches({ key, ...mods }));
          expect(hits.length, `${scope} ${JSON.stringify({ key, ...mods })}`).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('documents every key keyboard.ts handles (the help cannot miss one)', () => {
    const source = readFileSync(join(__dirname, '../../renderer/keyboard.ts'), 'utf8');
    const cases = [...source.matchAll(/case '([^']+)':/g)].map((m) => m[1]!);
    expect(cases.length).toBeGreaterThan(5);
    for (const key of cases) expect(matchShortcut({ key }, false) ?? matchShortcut({ key }, true), `keyboard.ts handles '${key}'`).not.toBeNull();
    const modKeys = [...source.matchAll(/mod && \(e\.key === '(\w)'/g)].map((m) => m[1]!);
    expect(modKeys.length).toBeGreaterThan(0);
    for (const key of modKeys) expect(matchShortcut({ key, ctrlKey: true }, false), `keyboard.ts handles Ctrl+${key}`).not.toBeNull();
  });
});
