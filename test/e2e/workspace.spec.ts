import { expect, test, type Page } from '@playwright/test';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { signIn } from './support/sign-in';
import { shotPath } from './support/screenshots';
import type { GridWindow } from './support/grid';
// @ts-expect-error plain ESM helper shared with the vitest suite, the chaos run and the bench
import { startPgCluster } from '../../scripts/pg-cluster.mjs';

/** Rows in the All tab, once the grid has loaded some. */
async function allRows(page: Page): Promise<number> {
  await page.getByTestId('tab-all').click();
  const count = () => page.evaluate(() => (globalThis as unknown as GridWindow).__tieoutGrid?.getDisplayedRowCount() ?? 0);
  await expect.poll(count).toBeGreaterThan(0);
  return count();
}

// Settings → Workspace in Chromium against a real PostgreSQL server: the demo
// admin moves this single-user folder into a new workspace, sees the join code
// once and the "restart" notice (the grid is refused meanwhile), and after the
// web host is restarted on the folder the tab shows the workspace, reachable,
// with the same payments.

type Cluster = { adminUrl: string; port: number; user: string; password: string; stop(): void };
let sandboxes: Sandboxes | undefined;
let host: Host | null = null;
let cluster: Cluster | undefined;

test.afterAll(async () => {
  await host?.proc.stop();
  await sandboxes?.proc.stop();
  cluster?.stop();
});

test('an admin moves the folder into a new workspace; after a restart it works there', async ({ browser }) => {
  cluster = (await startPgCluster()) as Cluster;
  const { Client } = await import('pg');
  const admin = new Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE ar_team');
  await admin.end();

  sandboxes = await startSandboxes('p21');
  const dataDir = tempDataDir();
  host = await startHost(dataDir, ['--sandbox-file', sandboxes.file]);
  const page = await (await browser.newContext()).newPage();
  await page.goto(host.url);
  await signIn(page, 'admin');
  const rowsBefore = await allRows(page);

  await page.getByTestId('settings-open').click();
  await page.getByTestId('settings-tab-workspace').click();
  await expect(page.getByTestId('workspace-mode')).toContainText('Single-user');
  const create = page.getByTestId('workspace-create');
  await create.getByTestId('ws-create-name').fill('Accounts receivable');
  await create.getByTestId('ws-create-host').fill('127.0.0.1');
  await create.getByTestId('ws-create-port').fill(String(cluster.port));
  await create.getByTestId('ws-create-database').fill('ar_team');
  await create.getByTestId('ws-create-user').fill(cluster.user);
  await create.getByTestId('ws-create-password').fill(cluster.password);
  await create.getByTestId('ws-create-ssl').selectOption('disable');
  await create.getByTestId('ws-create-passphrase').fill('team passphrase for the join code');
  await page.screenshot({ path: shotPath('workspace-create.png') });

  // A wrong password is refused with the reason; nothing moved.
  await create.getByTestId('ws-create-password').fill('not-the-password');
  await create.getByTestId('ws-create-submit').click();
  await expect(create.getByRole('alert')).toContainText('refused the password');
  await expect(create.getByTestId('ws-create-password')).toHaveValue('');

  await create.getByTestId('ws-create-password').fill(cluster.password);
  await create.getByTestId('ws-create-passphrase').fill('team passphrase for the join code');
  await create.getByTestId('ws-create-submit').click();
  await expect(page.getByTestId('workspace-joincode')).toContainText('tieout-join-1:');
  await expect(page.getByTestId('workspace-restart')).toContainText('Restart Tieout');
  await expect(page.getByTestId('workspace-reachable')).toContainText('Yes');
  await page.screenshot({ path: shotPath('workspace-created.png') });

  // The host restarts on the folder: it now opens the workspace, with the moved payments.
  await host.proc.stop();
  host = await startHost(dataDir, ['--sandbox-file', sandboxes.file]);
  const again = await (await browser.newContext()).newPage();
  await again.goto(host.url);
  await signIn(again, 'admin');
  expect(await allRows(again)).toBe(rowsBefore);
  await again.getByTestId('settings-open').click();
  await again.getByTestId('settings-tab-workspace').click();
  await expect(again.getByTestId('workspace-mode')).toContainText('Accounts receivable');
  await expect(again.getByTestId('workspace-reachable')).toContainText('Yes');
  await expect(again.getByTestId('workspace-restart')).toHaveCount(0);
  await again.getByTestId('ws-leave').click();
  await expect(again.getByRole('alertdialog')).toContainText('stays in the workspace');
  await again.screenshot({ path: shotPath('workspace-joined.png') });
});
