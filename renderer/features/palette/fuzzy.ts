// The command palette's filter: every typed character must appear in order in
// the command's title or keywords (case-insensitive); titles where they start
// a word or sit together rank first. Pure, so it is unit-tested.

export type Searchable = Readonly<{ title: string; keywords?: readonly string[] }>;

/** A score for how well `query` matches `text` (higher is better); null when it does not. */
export function fuzzyScore(query: string, text: string): number | null {
  const q = query.toLowerCase().replace(/\s+/g, '');
  if (q === '') return 0;
  const t = text.toLowerCase();
  let score = 0;
  let from = 0;
  let previous = -2;
  for (const ch of q) {
    const at = t.indexOf(ch, from);
    if (at < 0) return null;
    if (at === previous + 1) score += 3; // consecutive letters
    if (at === 0 || /[\s:/–-]/.test(t[at - 1]!)) score += 2; // start of a word
    score -= Math.min(at - from, 5) * 0.1; // a gap costs a little
    previous = at;
    from = at + 1;
  }
  if (t.includes(query.toLowerCase().trim())) score += 10; // the query as typed
  return score;
}

/** The items matching `query`, best first (ties keep their order). */
export function fuzzyFilter<T extends Searchable>(items: readonly T[], query: string): T[] {
  const scored: Array<{ item: T; score: number; index: number }> = [];
  items.forEach((item, index) => {
    const scores = [item.title, ...(item.keywords ?? [])].map((text) => fuzzyScore(query, text)).filter((s): s is number => s !== null);
    if (scores.length > 0) scored.push({ item, score: Math.max(...scores), index });
  });
  return scored.sort((a, b) => b.score - a.score || a.index - b.index).map((s) => s.item);
}
