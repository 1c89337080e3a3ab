import { ErpError } from '../errors';

// What the bundled ProvideX ODBC driver ("MAS 90 4.0 ODBC Driver") is reported
// to refuse or mis-handle: practitioners report failures with OR-heavy
// predicates, semicolons, square brackets and more than one or two joins, and
// UNION / subqueries / FULL OUTER JOIN only arrived in later PxPlus builds
// (public research notes on Sage 100 ODBC access; kb.dataself.com "ProvideX SQL
// syntax", cited in tessaherself/sage100-odbc). LIMIT/TOP are unreliable on the
// bundled build. Tieout needs none of these: every statement is one table, AND
// only. Checking here keeps a future change from working in the SQLite sandbox
// and failing on a real company.

const REFUSED: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bOR\b/i, 'OR (the ProvideX driver fails on OR-heavy conditions: page with AND-only key ranges)'],
  [/\bUNION\b/i, 'UNION'],
  [/\bJOIN\b|\{\s*IJ\b/i, 'JOIN (read one table per statement)'],
  [/\(\s*SELECT\b/i, 'a subquery'],
  [/\bLIMIT\b|\bTOP\b/i, 'LIMIT/TOP (fetch through a cursor instead)'],
  [/;/, 'a semicolon'],
  [/\[|\]/, 'square brackets'],
];

/** Throws `config` naming the construct when `sql` uses something the ProvideX driver refuses; string literals are ignored. */
export function assertProvideXDialect(sql: string): void {
  const code = sql.replace(/'(?:[^']|'')*'/g, "''");
  for (const [pattern, what] of REFUSED) {
    if (pattern.test(code)) throw new ErpError('config', `Statement not accepted by the ProvideX ODBC driver: it uses ${what}: ${sql.slice(0, 200)}`);
  }
}
