// ESLint: typescript-eslint's recommended rules (syntactic only, no type
// information: the linter has to stay fast), React's hook rules for the
// renderer, and the architecture's boundaries, which `npm test` enforces.
// test/unit/lint-boundaries.test.ts proves each boundary rejects a violation.
import { builtinModules } from 'node:module';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const ERP_KINDS = ['p21', 'eclipse', 'abas', 'sage100', 'sap-ecc', 'file'];

const nodeBuiltins = {
  paths: builtinModules.filter((m) => !m.startsWith('_')).map((name) => ({ name, message: 'Node built-ins stay out of this layer (it also runs in the browser).' })),
  patterns: [{ regex: '^node:', message: 'Node built-ins stay out of this layer (it also runs in the browser).' }],
};

const engineRestrictions = {
  paths: [
    { name: 'electron', message: 'The engine is plain Node: it also runs in the web host and the CLI. Electron belongs in electron/main.ts, preload and ipc/.' },
    { name: 'react', message: 'The engine does not render.' },
    { name: 'react-dom', message: 'The engine does not render.' },
  ],
  patterns: [
    { regex: '^react(-dom)?/', message: 'The engine does not render.' },
    { regex: '(^|/)renderer(/|$)', message: 'The engine may not import the renderer; share types through shared/.' },
    {
      regex: '(^|/)sandboxes(/|$)',
      message: 'Sandboxes, the demo world and conformance are not part of the production core: inject them (createEngine({ startDemo })), as electron/main.ts and the CLI do.',
    },
  ],
};

/** The options for no-restricted-imports: flat config replaces a rule's options per file, so each area lists all of its restrictions. */
function restrictImports(...groups) {
  return ['error', { paths: groups.flatMap((g) => g.paths ?? []), patterns: groups.flatMap((g) => g.patterns ?? []) }];
}

function otherErpKinds(kind, allowed = []) {
  const others = ERP_KINDS.filter((k) => k !== kind && !allowed.includes(k)).join('|');
  return {
    patterns: [
      {
        regex: `^\\.\\./(${others})(/|$)|/erp/(${others})(/|$)`,
        message: `One ERP folder may not import another: code two kinds share belongs in electron/core/erp/ itself.`,
      },
    ],
  };
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.tieout-dev/**'] },

  ...tseslint.configs.recommended,
  {
    rules: {
      // `_name` marks a parameter a signature needs but the body does not (tsc's noUnusedParameters agrees).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module' },
  },
  {
    // package.json says "type": "commonjs": plain .js files (bin/tieout.js) are CommonJS and load with require().
    files: ['**/*.{js,cjs}'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },

  // The renderer: React's hook rules. Only the two classic ones (the plugin's recommended set before v6):
  // the newer React Compiler rules run the compiler over every file — 84% of the lint time, measured — and
  // the app does not build with the compiler.
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },

  // Boundaries.
  { files: ['electron/core/**/*.ts'], rules: { 'no-restricted-imports': restrictImports(engineRestrictions) } },
  ...ERP_KINDS.map((kind) => ({
    files: [`electron/core/erp/${kind}/**/*.ts`],
    rules: { 'no-restricted-imports': restrictImports(engineRestrictions, otherErpKinds(kind)) },
  })),
  {
    // The web host and the CLI run in plain Node (out/engine/ is bundled with electron external and absent).
    files: ['electron/web/**/*.ts', 'electron/cli/**/*.ts', 'electron/sandboxes/**/*.ts'],
    rules: {
      'no-restricted-imports': restrictImports({
        paths: [{ name: 'electron', message: 'Only electron/main.ts, preload.ts and ipc/ run inside Electron.' }],
        patterns: [{ regex: '(^|/)renderer(/|$)', message: 'Node code may not import the renderer; share types through shared/.' }],
      }),
    },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrictImports(nodeBuiltins, {
        paths: [{ name: 'electron', message: 'shared/ is types and pure functions used on both sides.' }],
        patterns: [{ regex: '(^|/)(electron|renderer)(/|$)', message: 'shared/ is types and pure functions used on both sides: it imports neither side.' }],
      }),
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrictImports(nodeBuiltins, {
        paths: [{ name: 'electron', message: 'The renderer reaches the engine only through the preload API (window.tieout).' }],
        patterns: [{ regex: '(^|/)electron(/|$)', message: 'The renderer reaches the engine only through the preload API and @shared/* types.' }],
      }),
    },
  },

  // SQL lives in the store (electron/core/store/); sandboxes model other systems' databases.
  {
    files: ['electron/**/*.ts', 'shared/**/*.ts', 'renderer/**/*.{ts,tsx}', 'scripts/**/*.{ts,mjs}'],
    ignores: ['electron/core/store/**', 'electron/sandboxes/**'],
    rules: {
      // A prepare/exec given SQL text (a string or template literal): the matcher's own prepare(world) is not SQL.
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name=/^(prepare|exec)$/][arguments.0.type=/^(Literal|TemplateLiteral)$/]",
          message: 'SQL lives in electron/core/store/queries/: call a typed store function.',
        },
      ],
    },
  },
);
