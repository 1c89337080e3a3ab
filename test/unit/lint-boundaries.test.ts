import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// The boundaries in eslint.config.mjs bite: a snippet placed in each area of
// the code base (by its file path) is linted with the real config, and an
// import across a boundary is an error.

const root = resolve(import.meta.dirname, '../..');
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root, overrideConfigFile: resolve(root, 'eslint.config.mjs') });
});

async function problems(file: string, code: string): Promise<Array<{ rule: string | null; severity: number }>> {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, file) });
  return (result?.messages ?? []).map((m) => ({ rule: m.ruleId, severity: m.severity }));
}

const importOf = (spec: string) => `import * as m from '${spec}';\nexport const used = m;\n`;
const BOUNDARY = { rule: 'no-restricted-imports', severity: 2 };

describe('lint boundaries', () => {
  it.each([
    ['electron', 'electron'],
    ['react', 'react'],
    ['react-dom', 'react-dom/client'],
    ['the renderer', '../../renderer/App'],
    ['the sandboxes', '../sandboxes/demo/demo-sandboxes'],
    ['an ERP sandbox', '../../sandboxes/erp/p21/sandbox'],
  ])('the engine may not import %s', async (_what, spec) => {
    expect(await problems('electron/core/sync/example.ts', importOf(spec))).toContainEqual(BOUNDARY);
  });

  it('the engine imports its own modules and Node freely', async () => {
    expect(await problems('electron/core/sync/example.ts', importOf('../store/db') + "import { join } from 'node:path';\nexport const j = join;\n")).toEqual([]);
  });

  it.each([['node:fs'], ['fs'], ['path'], ['crypto'], ['electron'], ['../electron/core/engine'], ['../renderer/App']])(
    'shared/ may not import %s',
    async (spec) => {
      expect(await problems('shared/example.ts', importOf(spec))).toContainEqual(BOUNDARY);
    },
  );

  it('shared/ imports shared/', async () => {
    expect(await problems('shared/example.ts', importOf('./money'))).toEqual([]);
  });

  it.each([
    ['electron/core/erp/p21/example.ts', '../eclipse/connector'],
    ['electron/core/erp/sap-ecc/example.ts', '../file/options'],
    ['electron/core/erp/sage100/example.ts', '../../erp/abas/objects'],
    ['electron/core/erp/file/example.ts', '../p21/odata'],
  ])('%s may not import another ERP folder (%s)', async (file, spec) => {
    expect(await problems(file, importOf(spec))).toContainEqual(BOUNDARY);
  });

  it('an ERP folder imports its own files and electron/core/erp/', async () => {
    expect(await problems('electron/core/erp/p21/example.ts', "import { normalizeCustomerId } from './odata';\nimport { collectPages } from '../connector';\nexport const used = [normalizeCustomerId, collectPages];\n")).toEqual([]);
  });

  it.each([['../electron/core/engine'], ['../../electron/preload'], ['electron'], ['node:path'], ['fs']])('the renderer may not import %s', async (spec) => {
    expect(await problems('renderer/features/example.tsx', importOf(spec))).toContainEqual(BOUNDARY);
  });

  it('the renderer imports @shared/*', async () => {
    expect(await problems('renderer/features/example.tsx', importOf('@shared/domain'))).toEqual([]);
  });

  it('sandboxes import the core (they model the real systems with its parsers and types)', async () => {
    expect(await problems('electron/sandboxes/erp/p21/example.ts', importOf('../../../core/erp/p21/odata'))).toEqual([]);
  });

  it.each([['electron/web/example.ts'], ['electron/cli/example.ts'], ['electron/sandboxes/demo/example.ts']])('%s (plain Node) may not import electron', async (file) => {
    expect(await problems(file, importOf('electron'))).toContainEqual(BOUNDARY);
  });

  it('SQL outside the store is flagged; inside the store and the sandboxes it is not', async () => {
    const sql = "declare const db: { prepare(sql: string): unknown };\nexport const q = db.prepare('SELECT 1');\n";
    expect(await problems('electron/core/posting/example.ts', sql)).toContainEqual({ rule: 'no-restricted-syntax', severity: 2 });
    const template = 'declare const db: { exec(sql: string): unknown };\nexport const q = db.exec(`DELETE FROM outbox`);\n';
    expect(await problems('electron/core/api/example.ts', template)).toContainEqual({ rule: 'no-restricted-syntax', severity: 2 });
    // A prepare that is not given SQL text (the matcher's prepare(world)) is not flagged.
    const notSql = 'declare const matcher: { prepare(w: object): unknown };\nexport const p = matcher.prepare({});\n';
    expect(await problems('electron/core/sync/example.ts', notSql)).toEqual([]);
    expect(await problems('electron/core/store/queries/example.ts', sql)).toEqual([]);
    expect(await problems('electron/sandboxes/erp/sage100/example.ts', sql)).toEqual([]);
  });
});
