import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logFiles } from '../../electron/core/log/log-files';

// A crash of the engine's process is written to the data folder's log,
// redacted, before the process ends (issue 12, point 10). Real child processes:
// the crash must actually end one.

const SECRET = 'Crash-Planted-Secret-3391';
const child = resolve(import.meta.dirname, '../support/crash-child.ts');

function crash(how: 'throw' | 'reject'): { status: number | null; lines: Array<Record<string, unknown>>; text: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'tieout-crash-'));
  const run = spawnSync(process.execPath, ['--import', 'tsx', child, dataDir, how, SECRET], { cwd: resolve(import.meta.dirname, '../..'), encoding: 'utf8', timeout: 60_000 });
  const text = logFiles(dataDir).map((f) => readFileSync(f, 'utf8')).join('');
  if (!text) throw new Error(`no log written; child stderr: ${run.stderr}`);
  return { status: run.status, lines: text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>), text };
}

describe('crash log', () => {
  it.each([
    ['throw', 'uncaught exception: the process ends'],
    ['reject', 'unhandled promise rejection: the process ends'],
  ] as const)('records a %s that ends the process, without the secret or card number in it', (how, msg) => {
    const { status, lines, text } = crash(how);
    expect(status).not.toBe(0);
    const fatal = lines.find((l) => l['level'] === 'fatal');
    expect(fatal).toMatchObject({ scope: 'crash', msg, err: { type: 'Error', message: expect.stringContaining('PayTrace login failed with [redacted]') } });
    expect((fatal!['err'] as { stack: string }).stack).toContain('crash-child.ts');
    expect(text).not.toContain(SECRET);
    expect(text).not.toMatch(/4111.?1111.?1111.?1111/);
  }, 60_000);
});
