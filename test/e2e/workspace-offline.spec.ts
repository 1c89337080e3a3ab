import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import keytar from 'keytar';
import pg from 'pg';
import { expect, test, type Page } from '@playwright/test';
import { cacheFile } from '../../electron/core/offline/workspace-cache';
import { workspacePasswordAccount, writeWorkspaceLink, type WorkspaceLink } from '../../electron/core/store/workspace-link';
import { KEYCHAIN_SERVICE } from '../../electron/core/vault/keytar-store';
import { relay, type Relay } from '../support/tcp-relay';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { approveSelected } from './support/approval';
import { signIn } from './support/sign-in';
// @ts-expect-error plain ESM helper shared with the chaos run and the bench
import { startPgCluster } from '../../scripts/pg-cluster.mjs';

// A web host on a data folder joined to a team workspace, the workspace behind
// a relay the test switches off: the host reopens on this workstation's copy,
// the banner says since when and from which copy, a decision made there is
// counted as queued, and when the workspace is back the next open posts it.

type Cluster = { adminUrl: string; port: number; user: string; password: string; stop(): void };

let cluster: Cluster | null = null;
let network: Relay | null = null;
let sandboxes: Sandboxes | null = null;
let host: Host | null = null;

test.afterAll(async () => {
  await host?.proc.stop();
  await sandboxes?.proc.stop();
  await network?.stop();
  cluster?.stop();
});

async function count(page: Page, tab: string): Promise<number> {
  return Number(await page.getByTestId(`tab-${tab}`).getAttribute('data-count'));
}

function copiedPayments(dataDir: string): number {
  if (!existsSync(cacheFile(dataDir))) return 0;
  const db = new Database(cacheFile(dataDir), { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM matches').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

test('workspace unreachable: the host works from its copy, with the banner and the queued count', async ({ page }) => {
  test.setTimeout(300_000);
  cluster = (await startPgCluster()) as Cluster;
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE team_e2e');
  await admin.end();
  network = await relay(`postgresql://127.0.0.1:${cluster.port}`);
  const link: WorkspaceLink = {
    version: 1,
    workspaceId: randomBytes(8).toString('hex'),
    name: 'AR team',
    host: '127.0.0.1',
    port: Number(new URL(network.url).port),
    database: 'team_e2e',
    user: cluster.user,
    ssl: 'disable',
    joinedAt: new Date().toISOString(),
  };
  const dataDir = tempDataDir();
  writeWorkspaceLink(dataDir, link);
  await keytar.setPassword(KEYCHAIN_SERVICE, workspacePasswordAccount(link), cluster.password);
  sandboxes = await startSandboxes('p21');

  // Online: the workspace fills and this workstation keeps its copy.
  host = await startHost(dataDir, ['--sandbox-file', sandboxes.file]);
  await page.goto(host.url);
  await signIn(page, 'clerk');
  await expect.poll(() => count(page, 'auto'), { timeout: 90_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('workspace-offline-banner')).toHaveCount(0);
  await expect.poll(() => copiedPayments(dataDir), { timeout: 60_000 }).toBeGreaterThan(0);
  await host.proc.stop();

  // The workspace goes away; the host reopens on the copy.
  await network.stop();
  host = await startHost(dataDir, ['--sandbox-file', sandboxes.file]);
  await page.goto(host.url);
  await signIn(page, 'clerk');
  const banner = page.getByTestId('workspace-offline-banner');
  await expect(banner).toBeVisible({ timeout: 30_000 });
  await expect(banner).toContainText(/Workspace unreachable since .+ — working from this workstation's copy of .+; decisions are queued \(0\) and checked when it is back\./);
  await expect.poll(() => count(page, 'auto')).toBeGreaterThan(0);

  // An approval on the copy is queued, not posted.
  await page.getByTestId('tab-auto').click();
  const first = page.locator('[data-testid="grid"] [row-id]').first();
  await expect(first).toBeVisible();
  const target = Number(await first.getAttribute('row-id'));
  await page.locator('[data-testid="grid"]').getByText(String(target), { exact: true }).click();
  await page.keyboard.press('Space');
  await expect(page.getByTestId('selection-count')).toContainText('1');
  await approveSelected(page);
  await expect(banner).toHaveAttribute('data-queued', '1');
  await expect(banner).toContainText('decisions are queued (1)');
  expect(await count(page, 'posted')).toBe(0);
  await page.screenshot({ path: 'test-results/e2e-workspace-offline.png' });

  // The workspace is back: the next open replays the approval there, once, and posts it.
  await host.proc.stop();
  await network.start();
  host = await startHost(dataDir, ['--sandbox-file', sandboxes.file]);
  await page.goto(host.url);
  await signIn(page, 'clerk');
  await expect.poll(() => count(page, 'auto'), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('workspace-offline-banner')).toHaveCount(0);
  await expect.poll(() => count(page, 'posted'), { timeout: 60_000 }).toBe(1);
  const receipts = (await (
    await fetch(`${sandboxes.erpUrl}/__control/count-receipts`, { method: 'POST', body: JSON.stringify({ reference: String(target) }), headers: { 'content-type': 'application/json' } })
  ).json()) as { count: number };
  expect(receipts.count).toBe(1);
});
