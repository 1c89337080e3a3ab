// The store's SQL is written for SQLite; the workspace runs it on PostgreSQL.
// This rewrites the few constructs that differ (placeholders, two-argument
// MIN/MAX, IFNULL, INSTR, LIKE's case rule, INSERT OR IGNORE, mixed-case
// aliases, CAST to INTEGER) on a token stream, so text inside string literals,
// quoted identifiers and comments is never touched. A statement that needs a
// construct with no counterpart is written per dialect by its query module
// (sqlFor) rather than guessed at here.

type Token = Readonly<{ kind: 'word' | 'string' | 'quoted' | 'comment' | 'space' | 'param' | 'punct' | 'number'; text: string }>;

export type TranslatedSql = Readonly<{
  text: string;
  /** Positional: how many `?`; named: the parameter names in $n order. */
  params: { kind: 'positional'; count: number } | { kind: 'named'; names: readonly string[] };
  /** INSERT / UPDATE / DELETE anywhere in the statement (a CTE may write). */
  writes: boolean;
  /** The statement returns rows (SELECT, or RETURNING). */
  returnsRows: boolean;
  /** INSERT INTO's table when the statement has no RETURNING (run() reads the new id through one). */
  insertInto: string | null;
}>;

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const start = i;
    if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      i += 1;
      while (i < n) {
        if (sql[i] === close) {
          if (sql[i + 1] === close && close !== ']') i += 2;
          else {
            i += 1;
            break;
          }
        } else i += 1;
      }
      tokens.push({ kind: c === "'" ? 'string' : 'quoted', text: sql.slice(start, i) });
    } else if (c === '$' && /^\$[A-Za-z_]*\$/.test(sql.slice(i, i + 64))) {
      // A dollar-quoted body (a PL/pgSQL function) is one string, semicolons and all.
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64))![0];
      const end = sql.indexOf(tag, i + tag.length);
      i = end < 0 ? n : end + tag.length;
      tokens.push({ kind: 'string', text: sql.slice(start, i) });
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i += 1;
      tokens.push({ kind: 'comment', text: sql.slice(start, i) });
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      tokens.push({ kind: 'comment', text: sql.slice(start, i) });
    } else if (/\s/.test(c)) {
      while (i < n && /\s/.test(sql[i]!)) i += 1;
      tokens.push({ kind: 'space', text: sql.slice(start, i) });
    } else if (c === '?') {
      i += 1;
      while (i < n && /[0-9]/.test(sql[i]!)) i += 1;
      tokens.push({ kind: 'param', text: sql.slice(start, i) });
    } else if ((c === '@' || c === ':' || c === '$') && /[A-Za-z_]/.test(sql[i + 1] ?? '') && !(c === ':' && sql[i - 1] === ':')) {
      i += 1;
      while (i < n && /[A-Za-z0-9_]/.test(sql[i]!)) i += 1;
      tokens.push({ kind: 'param', text: sql.slice(start, i) });
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < n && /[A-Za-z0-9_$]/.test(sql[i]!)) i += 1;
      tokens.push({ kind: 'word', text: sql.slice(start, i) });
    } else if (/[0-9]/.test(c)) {
      while (i < n && /[0-9.eE]/.test(sql[i]!)) i += 1;
      tokens.push({ kind: 'number', text: sql.slice(start, i) });
    } else {
      // Two-character operators stay one token (||, <=, >=, <>, !=, ==).
      const two = sql.slice(i, i + 2);
      i += ['||', '<=', '>=', '<>', '!=', '==', '::'].includes(two) ? 2 : 1;
      tokens.push({ kind: 'punct', text: sql.slice(start, i) });
    }
  }
  return tokens;
}

const upper = (t: Token | undefined): string => (t && t.kind === 'word' ? t.text.toUpperCase() : '');

function nextCode(tokens: readonly Token[], from: number): number {
  let i = from;
  while (i < tokens.length && (tokens[i]!.kind === 'space' || tokens[i]!.kind === 'comment')) i += 1;
  return i;
}

function prevCode(tokens: readonly Token[], from: number): number {
  let i = from;
  while (i >= 0 && (tokens[i]!.kind === 'space' || tokens[i]!.kind === 'comment')) i -= 1;
  return i;
}

/** Index of the `)` closing the `(` at `open`, and the top-level commas between. */
function callShape(tokens: readonly Token[], open: number): { close: number; commas: number[] } | null {
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'punct') continue;
    if (t.text === '(') depth += 1;
    else if (t.text === ')') {
      depth -= 1;
      if (depth === 0) return { close: i, commas };
    } else if (t.text === ',' && depth === 1) commas.push(i);
  }
  return null;
}

const WRITE_WORDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'REPLACE']);

export function translateSql(sql: string): TranslatedSql {
  const tokens = tokenize(sql);
  const out: string[] = tokens.map((t) => t.text);
  let positional = 0;
  const names: string[] = [];
  let writes = false;
  let returnsRows = false;
  let insertOrIgnore = false;
  let returningAt = -1;
  const firstWord = upper(tokens[nextCode(tokens, 0)]);
  if (firstWord === 'SELECT' || firstWord === 'VALUES' || firstWord === 'PRAGMA') returnsRows = true;

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'comment') {
      // `/*pg: …*/` carries PostgreSQL-only text (FOR UPDATE SKIP LOCKED) that SQLite must not see.
      const m = /^\/\*pg:([\s\S]*)\*\/$/.exec(t.text);
      if (m) out[i] = m[1]!;
      continue;
    }
    if (t.kind === 'param') {
      if (t.text === '?' ) out[i] = `$${(positional += 1)}`;
      else if (t.text.startsWith('?')) out[i] = `$${Number(t.text.slice(1))}`;
      else {
        const name = t.text.slice(1);
        let k = names.indexOf(name);
        if (k < 0) k = names.push(name) - 1;
        out[i] = `$${k + 1}`;
      }
      continue;
    }
    if (t.kind !== 'word') continue;
    const w = t.text.toUpperCase();
    if (WRITE_WORDS.has(w)) writes = true;
    if (w === 'RETURNING') {
      returnsRows = true;
      returningAt = i;
    }
    if (w === 'SELECT' && firstWord === 'WITH') returnsRows = true;
    if (w === 'IFNULL') out[i] = 'COALESCE';
    else if (w === 'INSTR') out[i] = 'STRPOS';
    else if (w === 'LIKE') out[i] = 'ILIKE';
    else if (w === 'GLOB') throw new Error('GLOB has no PostgreSQL counterpart here: write the statement per dialect (sqlFor)');
    else if (w === 'OR' && upper(tokens[prevCode(tokens, i - 1)]) === 'INSERT') {
      const next = nextCode(tokens, i + 1);
      if (upper(tokens[next]) === 'IGNORE') {
        out[i] = '';
        out[next] = '';
        insertOrIgnore = true;
      } else throw new Error(`INSERT OR ${tokens[next]?.text ?? ''} has no PostgreSQL counterpart here: write the statement per dialect (sqlFor)`);
    } else if ((w === 'MAX' || w === 'MIN') && tokens[nextCode(tokens, i + 1)]?.text === '(') {
      const shape = callShape(tokens, nextCode(tokens, i + 1));
      // SQLite's scalar MIN/MAX (two or more arguments) is PostgreSQL's LEAST/GREATEST.
      if (shape && shape.commas.length > 0) out[i] = w === 'MAX' ? 'GREATEST' : 'LEAST';
    } else if (w === 'AS') {
      const next = nextCode(tokens, i + 1);
      const alias = tokens[next];
      if (alias?.kind === 'word') {
        const a = alias.text;
        if (/^INTEGER$/i.test(a) && isInsideCast(tokens, i)) out[next] = 'BIGINT';
        else if (/^REAL$/i.test(a) && isInsideCast(tokens, i)) out[next] = 'DOUBLE PRECISION';
        // PostgreSQL folds unquoted names to lower case; SQLite keeps the alias as written.
        else if (/[a-z]/.test(a) && /[A-Z]/.test(a)) out[next] = `"${a}"`;
      }
    }
  }
  if (insertOrIgnore) {
    const clause = ' ON CONFLICT DO NOTHING ';
    if (returningAt >= 0) out[returningAt] = `${clause}${out[returningAt]}`;
    else out.push(clause);
  }
  let insertInto: string | null = null;
  if (firstWord === 'INSERT' && returningAt < 0) {
    const into = tokens.findIndex((t) => upper(t) === 'INTO');
    const table = into >= 0 ? tokens[nextCode(tokens, into + 1)] : undefined;
    if (table && (table.kind === 'word' || table.kind === 'quoted')) insertInto = table.text.replace(/^"|"$/g, '');
  }
  const text = out.join('');
  return {
    insertInto,
    text,
    params: names.length > 0 ? { kind: 'named', names } : { kind: 'positional', count: positional },
    writes,
    returnsRows,
  };
}

function isInsideCast(tokens: readonly Token[], asIndex: number): boolean {
  let depth = 0;
  for (let i = asIndex - 1; i >= 0; i--) {
    const t = tokens[i]!;
    if (t.kind !== 'punct') continue;
    if (t.text === ')') depth += 1;
    else if (t.text === '(') {
      if (depth === 0) return upper(tokens[prevCode(tokens, i - 1)]) === 'CAST';
      depth -= 1;
    }
  }
  return false;
}

/** First keyword of a statement (BEGIN, COMMIT, CREATE, …), upper-case. */
export function leadingKeyword(sql: string): string {
  const tokens = tokenize(sql);
  return upper(tokens[nextCode(tokens, 0)]);
}

/** Splits a script on top-level semicolons (for exec), leaving strings and comments intact. */
export function splitStatements(sql: string): string[] {
  const parts: string[] = [];
  let current = '';
  let depth = 0;
  for (const t of tokenize(sql)) {
    // A trigger body (BEGIN … END) holds semicolons of its own.
    if (t.kind === 'word') {
      const w = t.text.toUpperCase();
      if (w === 'BEGIN' && /\bCREATE\b[\s\S]*\bTRIGGER\b/i.test(current)) depth += 1;
      if (w === 'END' && depth > 0) depth -= 1;
    }
    if (t.kind === 'punct' && t.text === ';' && depth === 0) {
      if (current.trim()) parts.push(current.trim());
      current = '';
    } else current += t.text;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}
