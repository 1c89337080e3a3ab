import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { GridApi } from 'ag-grid-community';
import type { GridRow } from '@shared/domain';
import { startHost, tempDataDir, type Host } from './support/processes';
import { signIn } from './support/sign-in';
import { screenshotDir } from './support/screenshots';

/** What the renderer exposes for tests (see docs/ui.md); evaluated inside the page. */
type GridWindow = { __tieoutGrid?: GridApi<GridRow> };

// The renderer against the real engine in demo mode: keyboard-first review,
// the detail panel, settings, and the screenshots the README shows
// (resources/screenshots/{grid,detail,settings}.png when TIEOUT_UPDATE_SCREENSHOTS=1).

const shots = screenshotDir;
let host: Host | null = null;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  host = await startHost(tempDataDir());
});

test.afterAll(async () => {
  await host?.proc.stop();
});

/** The digit that selects a tab: tabs are numbered 1… in display order (All is last). */
async function tabKey(page: Page, tab: string): Promise<string> {
  const ids = await page.getByRole('tab').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
  return String(ids.indexOf(`tab-${tab}`) + 1);
}

async function count(page: Page, tab: string): Promise<number> {
  return Number(await page.getByTestId(`tab-${tab}`).getAttribute('data-count'));
}

async function openApp(page: Page, user = 'admin'): Promise<void> {
  await page.goto(host!.url);
  await signIn(page, user);
  await expect.poll(() => count(page, 'all'), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('sync-state')).toHaveText('Up to date', { timeout: 60_000 });
}

/** Focused row's transaction id, read through the grid API (rows are virtualised). */
async function focusedId(page: Page): Promise<number | null> {
  return page.evaluate(() => {
    const api = (globalThis as unknown as GridWindow).__tieoutGrid;
    const cell = api?.getFocusedCell();
    return cell ? (api?.getDisplayedRowAtIndex(cell.rowIndex)?.data?.transactionId ?? null) : null;
  });
}

test('grid: tabs, counts and keyboard review', async ({ page }) => {
  await openApp(page, 'clerk');
  expect(page.url()).not.toContain('token=');
  const all = await count(page, 'all');
  const sum = (await Promise.all(['auto', 'review', 'exception', 'approved', 'posted', 'failed'].map((t) => count(page, t)))).reduce((a, b) => a + b, 0);
  expect(sum).toBe(all);

  // Digits switch tabs; the grid shows exactly the tab's rows.
  await page.keyboard.press(await tabKey(page, 'exception'));
  await expect(page.getByTestId('tab-exception')).toHaveAttribute('aria-selected', 'true');
  expect(await page.evaluate(() => (globalThis as unknown as GridWindow).__tieoutGrid?.getDisplayedRowCount())).toBe(await count(page, 'exception'));
  await page.keyboard.press(await tabKey(page, 'auto'));
  await expect(page.getByTestId('tab-auto')).toHaveAttribute('aria-selected', 'true');
  const auto = await count(page, 'auto');
  expect(await page.evaluate(() => (globalThis as unknown as GridWindow).__tieoutGrid?.getDisplayedRowCount())).toBe(auto);

  // j/k move the focused row, space toggles its selection, Ctrl+A selects the tab.
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  const second = await page.evaluate(() => (globalThis as unknown as GridWindow).__tieoutGrid?.getDisplayedRowAtIndex(1)?.data?.transactionId);
  expect(await focusedId(page)).toBe(second);
  await page.keyboard.press('k');
  const first = await page.evaluate(() => (globalThis as unknown as GridWindow).__tieoutGrid?.getDisplayedRowAtIndex(0)?.data?.transactionId);
  expect(await focusedId(page)).toBe(first);
  await page.keyboard.press(' ');
  await expect(page.getByTestId('approve-selected')).toHaveAttribute('data-count', '1');
  await page.keyboard.press('Control+a');
  await expect(page.getByTestId('approve-selected')).toHaveAttribute('data-count', String(auto));
  // Switching tabs drops the selection: approval never touches rows off screen.
  await page.keyboard.press(await tabKey(page, 'all'));
  await expect(page.getByTestId('tab-all')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('approve-selected')).toHaveAttribute('data-count', '0');

  // '/' focuses the quick filter; searching a transaction id narrows the grid to it.
  await page.keyboard.press('/');
  await expect(page.getByTestId('quick-filter')).toBeFocused();
  await page.keyboard.type(String(first));
  // The id may also appear in another row's text (a refund names its sale), so: fewer rows, and it is among them.
  await expect.poll(() => page.evaluate(() => (globalThis as unknown as GridWindow).__tieoutGrid?.getDisplayedRowCount() ?? 0)).toBeLessThan(all);
  // The narrowed view's window (the grid holds only the windows the engine sent for this search).
  await expect
    .poll(() =>
      page.evaluate(() => {
        const ids: number[] = [];
        (globalThis as unknown as GridWindow).__tieoutGrid?.forEachNode((n) => n.data && ids.push(n.data.transactionId));
        return ids;
      }),
    )
    .toContain(first);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('quick-filter')).toHaveValue('');

  await page.keyboard.press(await tabKey(page, 'auto'));
  await page.mouse.move(720, 20);
  await page.screenshot({ path: resolve(shots, 'grid.png') });
});

test('detail panel explains the focused row', async ({ page }) => {
  await openApp(page, 'clerk');
  // Prefer a row with matched invoices (and an exception or difference if any): the richest explanation.
  await page.keyboard.press(await tabKey(page, 'all'));
  const index = await page.evaluate(() => {
    const api = (globalThis as unknown as GridWindow).__tieoutGrid!;
    let best = 0;
    let bestRank = -1;
    api.forEachNodeAfterFilterAndSort((node, i) => {
      const r = node.data;
      if (!r) return;
      const rank = (r.matchedInvoices.length > 0 ? 2 : 0) + (r.status === 'exception' ? 1 : 0) + (r.differenceCents !== null && r.differenceCents !== 0 ? 2 : 0);
      if (rank > bestRank) {
        bestRank = rank;
        best = i;
      }
    });
    api.ensureIndexVisible(best, 'middle');
    api.setFocusedCell(best, 'payer');
    return best;
  });
  const id = await page.evaluate((i) => (globalThis as unknown as GridWindow).__tieoutGrid?.getDisplayedRowAtIndex(i)?.data?.transactionId, index);
  await page.keyboard.press('Enter');
  const panel = page.getByTestId('detail-panel');
  await expect(panel).toBeVisible();
  await expect(panel).toHaveAttribute('data-transaction-id', String(id));
  await expect(panel.getByTestId('detail-reason')).toBeVisible();
  await expect(panel.getByTestId('detail-history')).toBeVisible();
  await page.screenshot({ path: resolve(shots, 'detail.png') });
  await panel.getByRole('button', { name: /PayTrace fields/ }).click();
  await expect(panel.getByTestId('detail-raw').locator('td').first()).toBeVisible();
  // No full card number anywhere in the panel.
  expect(await panel.innerText()).not.toMatch(/\d{13,19}/);
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
});

test('settings show credential state, never the secret, and test connections', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('settings-open').click();
  const dialog = page.getByTestId('settings-dialog');
  await expect(dialog.getByTestId('settings-paytrace-baseUrl')).toBeVisible();
  await expect(dialog.getByTestId('credentials-paytrace-status')).toHaveAttribute('data-status', /^(set|not set)$/);
  await dialog.getByTestId('connection-test-paytrace').click();
  await expect(dialog.getByTestId('connection-test-paytrace-result')).toHaveAttribute('data-ok', /^(true|false)$/, { timeout: 30_000 });
  await dialog.getByTestId('connection-test-erp').click();
  await expect(dialog.getByTestId('connection-test-erp-result')).toHaveAttribute('data-ok', /^(true|false)$/, { timeout: 30_000 });
  await dialog.getByTestId('connection-test-erp-result').scrollIntoViewIfNeeded();
  await dialog.getByTestId('settings-paytrace').scrollIntoViewIfNeeded();
  await page.screenshot({ path: resolve(shots, 'settings.png') });
  // Replacing credentials opens empty fields: the stored password is never read back.
  await dialog.getByTestId('credentials-paytrace-replace').click();
  await expect(dialog.getByTestId('credentials-paytrace-password')).toHaveValue('');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});
