import { readFileSync } from 'node:fs';
import { expect, test, type Browser, type Page } from '@playwright/test';
// @ts-expect-error plain ESM helper shared with the chaos run and the bench
import { startPgCluster } from '../../scripts/pg-cluster.mjs';
import { writeWorkspaceLink, workspacePasswordAccount } from '../../electron/core/store/workspace-link';
import { keytarSecretStore } from '../../electron/core/vault/keytar-store';
import { createWorkspaceDatabase } from '../support/workspace-database';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { DEMO_PASSWORD, signIn } from './support/sign-in';
import { engineCall } from './support/api';
import { openDetail, type GridWindow } from './support/grid';
import { confirmApprovalIfAsked } from './support/approval';

// Three workstations on one team workspace (PostgreSQL): three web hosts on
// three data folders joined to the same database, one shared set of
// sandboxes. Clerk A approves a payment; B, on another host, sees it Posted
// without reloading and cannot approve it (told who did, when); B sees that A
// has a payment open and A is asked before taking over one B has open; a
// supervisor on the third host approves the refund A requested.

type Cluster = Readonly<{ adminUrl: string; port: number; user: string; password: string; stop(): void }>;

let sandboxes: Sandboxes | null = null;
let cluster: Cluster | null = null;
const hosts: Host[] = [];

test.afterAll(async () => {
  for (const h of hosts) await h.proc.stop();
  await sandboxes?.proc.stop();
  cluster?.stop();
});

async function joinedFolders(n: number): Promise<string[]> {
  cluster = (await startPgCluster()) as Cluster;
  const link = await createWorkspaceDatabase(cluster, 'AR team');
  // The hosts read the password from the keychain (the session keyring this run shares with them).
  await keytarSecretStore().set(workspacePasswordAccount(link), cluster.password);
  return Array.from({ length: n }, () => {
    const dir = tempDataDir();
    writeWorkspaceLink(dir, link);
    return dir;
  });
}

async function count(page: Page, tab: string): Promise<number> {
  return Number(await page.getByTestId(`tab-${tab}`).getAttribute('data-count'));
}

async function firstAuto(page: Page, skip: readonly number[] = []): Promise<number> {
  const id = await page.evaluate((skipped) => {
    const api = (globalThis as unknown as GridWindow).__tieoutGrid;
    let found: number | null = null;
    api?.forEachNode((n) => {
      if (found === null && n.data?.status === 'auto' && !skipped.includes(n.data.transactionId)) found = n.data.transactionId;
    });
    return found;
  }, skip as number[]);
  expect(id, 'an auto row').not.toBeNull();
  return id!;
}

async function session(browser: Browser, host: Host, user: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(host.url);
  await signIn(page, user);
  await expect.poll(() => count(page, 'all'), { timeout: 60_000 }).toBeGreaterThan(0);
  return page;
}

test('two clerks on two hosts of one workspace see each other live; a supervisor on a third approves the refund', async ({ browser }) => {
  sandboxes = await startSandboxes('p21');
  const descriptor = JSON.parse(readFileSync(sandboxes.file, 'utf8')) as { paytrace: { url: string } };
  const dirs = await joinedFolders(3);
  // The first host creates the workspace and runs the team's sync; the others join it.
  for (const dir of dirs) hosts.push(await startHost(dir, ['--sandbox-file', sandboxes.file]));

  const a = await session(browser, hosts[0]!, 'clerk');
  const b = await session(browser, hosts[1]!, 'supervisor2');
  await expect.poll(() => count(a, 'auto'), { timeout: 60_000 }).toBeGreaterThan(1);
  await expect.poll(() => count(b, 'auto'), { timeout: 60_000 }).toBe(await count(a, 'auto'));
  // B's host does not sync: it says which workstation does.
  await expect(b.getByTestId('sync-leader')).toContainText('Sync runs on');

  // Presence: A opens a payment; B sees who has it open, in the grid and in the detail panel.
  const x = await firstAuto(a);
  await openDetail(a, x);
  await expect(b.locator(`.ag-row[row-id="${x}"] [col-id="presence"]`)).toHaveText('clerk', { timeout: 5_000 });
  await b.screenshot({ path: 'test-results/e2e-team-presence-grid.png' });
  await openDetail(b, x);
  await expect(b.getByTestId('presence-marker')).toHaveText(/^clerk is working on this \(since \d{2}:\d{2}\)$/);
  await b.screenshot({ path: 'test-results/e2e-team-presence.png' });

  // A approves: B has it open, so A is asked first (never a silent take-over).
  await expect(a.getByTestId('presence-marker')).toHaveText(/^supervisor2 is working on this/);
  await a.getByTestId('detail-approve').click();
  await expect(a.getByTestId('take-over-dialog')).toContainText('supervisor2 is working on');
  await a.screenshot({ path: 'test-results/e2e-team-take-over.png' });
  const approvedAt = Date.now();
  await a.getByTestId('take-over-confirm').click();
  await confirmApprovalIfAsked(a);

  // B sees it approved within a second and Posted once the ERP has it, without reloading.
  await expect(b.getByTestId('detail-status')).not.toHaveText('Auto', { timeout: 1_000 });
  console.info(`team e2e: B's detail panel left Auto ${Date.now() - approvedAt} ms after A confirmed`);
  await expect(b.getByTestId('detail-status')).toHaveText('Posted', { timeout: 30_000 });
  await expect(b.locator(`.ag-row[row-id="${x}"] [col-id="status"]`)).toHaveText('Posted');
  // B cannot approve it: no button, the reason instead; the engine refuses it with the same words.
  await expect(b.getByTestId('detail-approve')).toHaveCount(0);
  await expect(b.getByTestId('detail-decision')).toHaveText(/^Approved by clerk at \d{2}:\d{2}; it is Posted now$/);
  await b.screenshot({ path: 'test-results/e2e-team-conflict.png' });
  const refused = await engineCall(b, 'matches:approve', { transactionIds: [x] });
  expect(refused.ok).toBe(true);
  const skipped = (refused.value as { approved: number[]; skipped: Array<{ reason: string }> });
  expect(skipped.approved).toEqual([]);
  expect(skipped.skipped[0]?.reason).toMatch(/^Approved by clerk at \d{2}:\d{2}; it is Posted now$/);

  // B writing a note on a payment A has open is asked too; left to A, nothing is saved.
  const y = await firstAuto(a, [x]);
  await openDetail(a, y);
  await openDetail(b, y);
  await expect(b.getByTestId('presence-marker')).toHaveText(/^clerk is working on this/);
  await b.getByTestId('note-input').fill('Checking with the customer');
  await b.getByTestId('note-save').click();
  await expect(b.getByTestId('take-over-dialog')).toContainText(`clerk is working on ${y}`);
  await b.getByTestId('take-over-cancel').click();
  await expect(b.getByTestId('take-over-dialog')).toHaveCount(0);
  const untouched = await engineCall(b, 'grid:detail', { transactionId: y });
  expect((untouched.value as { row: { note: string | null } }).row.note).toBeNull();

  // A requests a refund on it (PayTrace's batch settled first: a partial amount is refunded, not voided).
  await fetch(`${descriptor.paytrace.url}/__control/settle`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  await openDetail(a, x);
  await a.getByTestId('request-refund').click();
  await a.getByTestId('refund-amount').fill('1.25');
  await a.getByTestId('refund-reason').selectOption('Overpayment');
  await a.getByTestId('refund-note').fill('Paid twice for freight');
  await a.getByTestId('refund-submit').click();
  await expect(a.getByTestId('detail-refund')).toHaveAttribute('data-state', 'requested');

  // A supervisor on the third host approves it; A's detail follows without reloading.
  const s = await session(browser, hosts[2]!, 'supervisor');
  await s.getByTestId('refunds-open').click();
  const row = s.getByTestId('refund-row').first();
  await expect(row).toHaveAttribute('data-state', 'requested', { timeout: 10_000 });
  const refundId = Number(await row.getAttribute('data-refund-id'));
  await row.getByTestId(`refund-approve-${refundId}`).click();
  await row.getByTestId('refund-password').fill(DEMO_PASSWORD);
  await row.getByTestId('refund-confirm').click();
  await expect(row).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(row.getByTestId('refund-approved-by')).toContainText('supervisor');
  await expect(a.getByTestId('detail-refund')).not.toHaveAttribute('data-state', 'requested', { timeout: 10_000 });
  await a.screenshot({ path: 'test-results/e2e-team-refund-on-a.png' });
});
