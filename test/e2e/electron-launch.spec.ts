import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { signIn } from './support/sign-in';

// Launches the real desktop app where the Electron binary exists. On build
// machines that cannot download it, the test skips and says why; the same
// renderer and engine are covered through the web host by the other specs.

const root = resolve(__dirname, '../..');

function electronPath(): string | null {
  try {
    const p = execFileSync(process.execPath, ['-e', "process.stdout.write(String(require('electron')))"], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return p && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

test('the Electron app opens a hardened window on the demo grid', async () => {
  const executablePath = electronPath();
  test.skip(!executablePath, 'Electron binary is not installed on this machine (it cannot be downloaded here); the web-host specs cover the same UI and engine.');
  const app = await electron.launch({ executablePath: executablePath!, args: [root, '--data-dir', mkdtempSync(join(tmpdir(), 'tieout-electron-'))], cwd: root });
  try {
    const window = await app.firstWindow();
    await expect(window).toHaveTitle(/Tieout/);
    expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    await signIn(window, 'clerk');
    await expect(window.getByTestId('topbar')).toBeVisible({ timeout: 60_000 });
  } finally {
    await app.close();
  }
});
