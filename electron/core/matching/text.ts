import { normalizeReference, splitReferences } from '@shared/reference';

// Text helpers for matching: payer names and reference tokens. Pure and cheap,
// because they run once per invoice and per payment at 100k scale.

const LEGAL_SUFFIXES = new Set(['inc', 'incorporated', 'llc', 'l l c', 'co', 'corp', 'corporation', 'ltd', 'limited', 'company', 'plc', 'lp', 'llp']);
const NAME_STOPWORDS = new Set(['the', 'and', 'of', ...LEGAL_SUFFIXES]);

const DIGITS = /^\d+$/;
const UPPER_ALNUM = /^[A-Z0-9]+$/;
/** The words shared/reference.ts strips as a prefix: alone they normalise to "". */
const PREFIX_WORDS = new Set(['INVOICE', 'INV', 'IN', 'NO', 'NR', 'NUMBER', 'REF']);

/**
 * normalizeReference with a fast path for plain numbers (most invoice
 * numbers): same result, without the prefix regexes, because it runs once per
 * invoice and several times per payment at 100k scale.
 */
export function fastNormalizeReference(input: string): string {
  if (DIGITS.test(input)) {
    let i = 0;
    while (i < input.length - 1 && input.charCodeAt(i) === 48) i++;
    return i === 0 ? input : input.slice(i);
  }
  // Upper-case letters and digits only ("PO900123", "A1004521"): nothing to
  // strip or fold, unless the whole string is a prefix word the shared
  // normaliser removes ("INV", "NO").
  if (UPPER_ALNUM.test(input) && !PREFIX_WORDS.has(input)) return input;
  return normalizeReference(input);
}

/** "Apex Plumbing, Inc." → "apex plumbing"; "  MARIA  GARCIA " → "maria garcia". */
export function normalizeName(input: string): string {
  const words = input
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9\s]/g, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 0);
  while (words.length > 1 && LEGAL_SUFFIXES.has(words[words.length - 1]!)) words.pop();
  return words.join(' ');
}

/** Distinctive words of a name, for the token index. */
export function nameTokens(normalizedName: string): string[] {
  return [...new Set(normalizedName.split(' ').filter((w) => w.length >= 3 && !NAME_STOPWORDS.has(w)))];
}

/** References in a field meant to hold them (invoice_id): the shared splitter, then word tokens, abbreviations expanded. */
export function referenceTokensOfField(field: string): string[] {
  if (!field.trim()) return [];
  const trimmed = field.trim();
  if (DIGITS.test(trimmed)) return [fastNormalizeReference(trimmed)];
  const abbreviated = expandAbbreviatedReferences(trimmed);
  if (abbreviated) {
    // The fragments ("57", "100325658") are not references of their own: their expansion replaces them.
    const rest = trimmed.replace(ABBREVIATION_SCAN, ' ');
    return [...new Set([...abbreviated.full, ...abbreviated.expanded, ...splitReferences(rest), ...wordReferenceTokens(rest)])];
  }
  const split = splitReferences(field);
  const words = wordReferenceTokens(field);
  return [...new Set([...split, ...words])];
}

/** The most invoices one range ("1003256-1003290") may name; a wider one names nothing. */
const MAX_RANGE = 25;

/** A number followed by abbreviated or ranged companions: "1003256/57", "1003256, 57, 58", "1003256-58", "1003256 to 1003260". */
const ABBREVIATION_SCAN = /\b\d{4,}(?:\s*(?:[\/,;&+]|-|–|\bto\b|\bthru\b|\bthrough\b|\band\b)\s*\d+\b)+/gi;

/**
 * Payers shorten runs of invoice numbers: "1003256/57" means 1003256 and
 * 1003257; "1003256-58" means 1003256, 1003257 and 1003258. Returns the full
 * numbers written out (`full`) and those the abbreviation implies (`expanded`),
 * or null when the field holds no such run. A companion is abbreviated when it
 * has fewer digits than the number before it; a range needs an end above its
 * start and at most MAX_RANGE numbers, else it names nothing.
 */
export function expandAbbreviatedReferences(field: string): { full: string[]; expanded: string[] } | null {
  const runs = field.match(ABBREVIATION_SCAN);
  if (!runs) return null;
  const full: string[] = [];
  const expanded: string[] = [];
  let any = false;
  for (const run of runs) {
    const parts = run.split(/\s*([\/,;&+]|-|–|\bto\b|\bthru\b|\bthrough\b|\band\b)\s*/i);
    let prev = fastNormalizeReference(parts[0]!);
    full.push(prev);
    for (let i = 1; i + 1 < parts.length; i += 2) {
      const sep = parts[i]!.toLowerCase();
      const tok = parts[i + 1]!;
      const isRange = sep === '-' || sep === '–' || sep === 'to' || sep === 'thru' || sep === 'through';
      const whole = tok.length < prev.length ? prev.slice(0, prev.length - tok.length) + tok : tok;
      if (tok.length < prev.length) any = true;
      if (isRange) {
        const from = Number(prev);
        const to = Number(whole);
        if (whole.length !== prev.length || !(to > from) || to - from > MAX_RANGE) {
          // "2024-01" is an invoice number, not a range: leave the run to the ordinary splitter.
          if (tok.length < prev.length) return null;
          full.push(fastNormalizeReference(tok));
          prev = fastNormalizeReference(tok);
          continue;
        }
        any = true;
        for (let n = from + 1; n <= to; n++) expanded.push(String(n).padStart(prev.length, '0'));
        prev = whole;
      } else if (tok.length < prev.length) {
        expanded.push(fastNormalizeReference(whole));
        prev = whole;
      } else {
        full.push(fastNormalizeReference(tok));
        prev = fastNormalizeReference(tok);
      }
    }
  }
  return any ? { full: [...new Set(full)], expanded: [...new Set(expanded)] } : null;
}

/** References a field implies only by abbreviation: never typo-corrected, because a near number is a different invoice. */
export function abbreviatedReferenceTokens(field: string): ReadonlySet<string> {
  return new Set(expandAbbreviatedReferences(field.trim())?.expanded ?? []);
}

/** Word-like tokens of free text that could be references: must contain a digit. */
export function wordReferenceTokens(text: string): string[] {
  if (!text.trim()) return [];
  const out: string[] = [];
  // "Invoice 1004521" / "INV-1004521" / "#1004521," → 1004521
  for (const raw of text.split(/[\s,;/&|+()[\]]+/)) {
    if (!/\d/.test(raw)) continue;
    const n = fastNormalizeReference(raw);
    if (n.length >= 3 && !out.includes(n)) out.push(n);
  }
  return out;
}

/**
 * True when a and b differ by exactly one edit: a substitution, an adjacent
 * transposition, or one missing/extra character. Equal strings are not typos.
 */
export function isOneEdit(a: string, b: string): boolean {
  if (a === b) return false;
  const la = a.length;
  const lb = b.length;
  if (la === lb) {
    let first = -1;
    let diffs = 0;
    for (let i = 0; i < la; i++) {
      if (a.charCodeAt(i) !== b.charCodeAt(i)) {
        if (diffs === 0) first = i;
        diffs++;
        if (diffs > 2) return false;
      }
    }
    if (diffs === 1) return true;
    // Transposition: the two differences are adjacent and swapped.
    return diffs === 2 && first + 1 < la && a[first] === b[first + 1] && a[first + 1] === b[first];
  }
  if (Math.abs(la - lb) !== 1) return false;
  const [short, long] = la < lb ? [a, b] : [b, a];
  let i = 0;
  let j = 0;
  let skipped = false;
  while (i < short.length && j < long.length) {
    if (short.charCodeAt(i) === long.charCodeAt(j)) {
      i++;
      j++;
    } else {
      if (skipped) return false;
      skipped = true;
      j++;
    }
  }
  return true;
}

/** Whole days between two YYYY-MM-DD or ISO strings' dates (UTC calendar). */
export function dayNumber(isoDateOrInstant: string): number {
  const ms = Date.parse(isoDateOrInstant.length === 10 ? `${isoDateOrInstant}T00:00:00Z` : isoDateOrInstant);
  return Number.isFinite(ms) ? Math.floor(ms / 86_400_000) : 0;
}
