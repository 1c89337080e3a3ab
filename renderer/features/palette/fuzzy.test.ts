import { describe, expect, it } from 'vitest';
import { fuzzyFilter, fuzzyScore } from './fuzzy';

const commands = [
  { title: 'Go to Auto' },
  { title: 'Go to Needs review', keywords: ['suggested'] },
  { title: 'Open refunds queue', keywords: ['refund', 'take back'] },
  { title: 'Sync now' },
  { title: 'Open settings' },
  { title: 'Help: Search syntax' },
];

describe('command palette filter', () => {
  it('keeps the commands whose title or keywords hold the letters in order, best first', () => {
    expect(fuzzyFilter(commands, 'refunds').map((c) => c.title)).toEqual(['Open refunds queue']);
    expect(fuzzyFilter(commands, 'sync')[0]!.title).toBe('Sync now');
    expect(fuzzyFilter(commands, 'set')[0]!.title).toBe('Open settings');
    expect(fuzzyFilter(commands, 'suggested').map((c) => c.title)).toEqual(['Go to Needs review']);
    // Letters out of order do not match.
    expect(fuzzyScore('wons', 'Sync now')).toBeNull();
  });

  it('ranks a word start and consecutive letters above scattered ones', () => {
    expect(fuzzyScore('gtn', 'Go to Needs review')!).toBeGreaterThan(fuzzyScore('gtn', 'Help: Search syntax') ?? -Infinity);
    expect(fuzzyFilter(commands, 'help').map((c) => c.title)).toEqual(['Help: Search syntax']);
  });

  it('shows every command, in order, for an empty query', () => {
    expect(fuzzyFilter(commands, '  ').map((c) => c.title)).toEqual(commands.map((c) => c.title));
  });
});
