// Invoice references as payers type them: "INV-1004521", "#1004521 ",
// "Invoice 1004521", "001004521", "1004521,1004522". Normalisation is shared by
// the matcher, the grid's search and the CLI.

const PREFIX = /^(?:invoice|inv|in|no|nr|number|ref)\b[\s.:#-]*|^#\s*/i;

/** One reference in canonical form: upper case, no prefix/noise, no leading zeros on numbers. */
export function normalizeReference(input: string): string {
  let s = input.trim().replace(/\s+/g, ' ');
  for (let i = 0; i < 3; i++) {
    const next = s.replace(PREFIX, '').trim();
    if (next === s) break;
    s = next;
  }
  s = s.replace(/^[#:.\-\s]+|[#:.\-\s]+$/g, '').toUpperCase();
  s = s.replace(/[\s-]+/g, '');
  if (/^\d+$/.test(s)) s = s.replace(/^0+(?=\d)/, '');
  return s;
}

/** Splits a field that may hold several references ("1004521, 1004522", "a/b", "a;b", "a & b"). */
export function splitReferences(input: string): string[] {
  if (!input || !input.trim()) return [];
  const parts = input
    .split(/[,;/&|+]|\band\b|\s{2,}/i)
    .flatMap((p) => {
      const t = p.trim();
      // "1004521 1004522": several number-like tokens separated by single spaces.
      const tokens = t.split(' ');
      if (tokens.length > 1 && tokens.every((tok) => /^#?\d{4,}$/.test(tok))) return tokens;
      return [t];
    })
    .map(normalizeReference)
    .filter((p) => p.length > 0);
  return [...new Set(parts)];
}
