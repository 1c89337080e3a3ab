import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitStatements, tokenize, translateSql } from '../../electron/core/store/pg/translate';
import { onWorkspace } from '../support/store-dialect';

// The SQLite → PostgreSQL statement translation (electron/core/store/pg/translate.ts):
// what it rewrites, and what it must never touch. Runs in the postgres project.

const PROTECTED = new Set(['string', 'quoted', 'comment']);
const protectedTexts = (sql: string): string[] => tokenize(sql).filter((t) => PROTECTED.has(t.kind)).map((t) => t.text);

/** The $n placeholders outside literals and comments, in order of appearance. */
function placeholders(sql: string): number[] {
  const tokens = tokenize(sql);
  const out: number[] = [];
  for (let i = 0; i < tokens.length - 1; i++) {
    if (tokens[i]!.kind === 'punct' && tokens[i]!.text === '$' && tokens[i + 1]!.kind === 'number') out.push(Number(tokens[i + 1]!.text));
  }
  return out;
}

// ---- Arbitraries: statements made of fragments the tokenizer must tell apart ----

const awkward = fc.constantFrom('?', '?1', '@name', ':name', '$1', '$$', '--', '/*', '*/', ';', "''", '""', 'LIKE', 'IFNULL', 'MAX(a, b)', 'INSTR', ' ', '\n', 'é', 'x');
const text = fc.array(awkward, { maxLength: 6 }).map((parts) => parts.join(''));
const stringLiteral = text.map((s) => `'${s.replace(/'/g, "''")}'`);
const quotedIdentifier = text.filter((s) => s.length > 0).map((s) => `"${s.replace(/"/g, '""')}"`);
// No * or / inside: SQLite ends a comment at the first */, PostgreSQL nests /* (the store writes neither).
const blockComment = text.map((s) => `/* ${s.replace(/[*/]/g, '')} */`);
const lineComment = text.map((s) => `-- ${s.replace(/\n/g, ' ')}\n`);
const word = fc.constantFrom('SELECT', 'a', 'b', 'FROM', 't', 'WHERE', '=', 'AND', '(', ')', ',', 'IFNULL', 'LIKE', 'INSTR', 'MAX', 'MIN', 'COUNT', '1', '2.5', '||', '<=');

type Fragment = { kind: 'word' | 'protected' | 'param'; text: string };
const fragment = (param: fc.Arbitrary<string>): fc.Arbitrary<Fragment> =>
  fc.oneof(
    { weight: 4, arbitrary: word.map((t) => ({ kind: 'word' as const, text: t })) },
    { weight: 2, arbitrary: fc.oneof(stringLiteral, quotedIdentifier, blockComment, lineComment).map((t) => ({ kind: 'protected' as const, text: t })) },
    { weight: 2, arbitrary: param.map((t) => ({ kind: 'param' as const, text: t })) },
  );
const statement = (param: fc.Arbitrary<string>) => fc.array(fragment(param), { minLength: 1, maxLength: 25 }).map((fs) => ({ fs, sql: fs.map((f) => f.text).join(' ') }));

describe.skipIf(!onWorkspace)('PostgreSQL translation of the store SQL', () => {
  it('never changes string literals, quoted identifiers or comments', () => {
    fc.assert(
      fc.property(statement(fc.constant('?')), ({ sql }) => {
        expect(protectedTexts(translateSql(sql).text)).toEqual(protectedTexts(sql));
      }),
      { numRuns: 500 },
    );
  });

  it('numbers positional parameters 1..n, one $n per ?', () => {
    fc.assert(
      fc.property(statement(fc.constant('?')), ({ fs, sql }) => {
        const count = fs.filter((f) => f.kind === 'param').length;
        const t = translateSql(sql);
        expect(t.params).toEqual({ kind: 'positional', count });
        expect(placeholders(t.text)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
      }),
      { numRuns: 500 },
    );
  });

  it('maps each named parameter to one $n, the same one wherever it repeats', () => {
    fc.assert(
      fc.property(statement(fc.constantFrom('@a', ':a', '$a', '@b', ':c', '@long_name1')), ({ fs, sql }) => {
        const used = fs.filter((f) => f.kind === 'param').map((f) => f.text.slice(1));
        const t = translateSql(sql);
        const names = [...new Set(used)];
        if (names.length === 0) return;
        expect(t.params).toEqual({ kind: 'named', names });
        expect(placeholders(t.text)).toEqual(used.map((n) => names.indexOf(n) + 1));
      }),
      { numRuns: 500 },
    );
  });

  it('turns scalar MIN/MAX into LEAST/GREATEST and leaves the aggregates alone', () => {
    expect(translateSql('SELECT MAX(a), MIN(b) FROM t').text).toBe('SELECT MAX(a), MIN(b) FROM t');
    expect(translateSql('SELECT MAX(a, b), min(c, d, e) FROM t').text).toBe('SELECT GREATEST(a, b), LEAST(c, d, e) FROM t');
    expect(translateSql('SELECT MIN(MAX(x, COALESCE(y, \'\'))) FROM t').text).toBe("SELECT MIN(GREATEST(x, COALESCE(y, ''))) FROM t");
    expect(translateSql('SELECT MAX(f(a, b)) FROM t').text).toBe('SELECT MAX(f(a, b)) FROM t');
    expect(translateSql("SELECT 'MAX(a, b)' FROM t").text).toBe("SELECT 'MAX(a, b)' FROM t");
  });

  it('rewrites the SQLite-only constructs', () => {
    expect(translateSql('SELECT IFNULL(a, 0), INSTR(a, ?) FROM t WHERE b LIKE ?').text).toBe('SELECT COALESCE(a, 0), STRPOS(a, $1) FROM t WHERE b ILIKE $2');
    expect(translateSql('INSERT OR IGNORE INTO t (a) VALUES (?)').text).toBe('INSERT   INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING ');
    expect(translateSql('INSERT OR IGNORE INTO t (a) VALUES (?) RETURNING a').text).toBe('INSERT   INTO t (a) VALUES ($1)  ON CONFLICT DO NOTHING RETURNING a');
    expect(translateSql('SELECT a AS openCents, b AS plain FROM t').text).toBe('SELECT a AS "openCents", b AS plain FROM t');
    expect(translateSql('SELECT CAST(a AS INTEGER), CAST(b AS REAL), c AS Integer FROM t').text).toBe('SELECT CAST(a AS BIGINT), CAST(b AS DOUBLE PRECISION), c AS "Integer" FROM t');
    expect(translateSql('SELECT id FROM outbox LIMIT 1 /*pg: FOR UPDATE SKIP LOCKED*/').text).toBe('SELECT id FROM outbox LIMIT 1  FOR UPDATE SKIP LOCKED');
    expect(translateSql('SELECT a::text FROM t WHERE b = :b').text).toBe('SELECT a::text FROM t WHERE b = $1');
    expect(() => translateSql('INSERT OR REPLACE INTO t VALUES (1)')).toThrow(/sqlFor/);
    expect(() => translateSql("SELECT 1 FROM t WHERE a GLOB 'x*'")).toThrow(/sqlFor/);
  });

  it('knows what a statement does: writes, returns rows, inserts into which table', () => {
    expect(translateSql('SELECT 1')).toMatchObject({ writes: false, returnsRows: true, insertInto: null });
    expect(translateSql('INSERT INTO "users" (a) VALUES (?)')).toMatchObject({ writes: true, returnsRows: false, insertInto: 'users' });
    expect(translateSql('UPDATE t SET a = 1 RETURNING *')).toMatchObject({ writes: true, returnsRows: true, insertInto: null });
    expect(translateSql('WITH x AS (DELETE FROM t RETURNING a) SELECT * FROM x')).toMatchObject({ writes: true, returnsRows: true });
  });

  it('splits scripts on top-level semicolons only', () => {
    expect(splitStatements("CREATE TABLE a (x TEXT DEFAULT ';'); -- a; comment\nCREATE INDEX i ON a (x);")).toEqual(["CREATE TABLE a (x TEXT DEFAULT ';')", '-- a; comment\nCREATE INDEX i ON a (x)']);
    expect(splitStatements('CREATE TRIGGER g BEFORE DELETE ON a BEGIN SELECT RAISE(ABORT, \'no\'); END; SELECT 1')).toHaveLength(2);
    expect(splitStatements('CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$; SELECT 1')).toHaveLength(2);
  });
});
