import { expect, test, type Page } from '@playwright/test';
import type { GridRow } from '@shared/domain';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { loadedGridRow, viewRows } from './support/grid';
import { shotPath } from './support/screenshots';
import { signIn } from './support/sign-in';

// Settings → Matching rules: the admin reaches the tab from the keyboard, a
// limit above 100% is refused on the form naming the field, short pays are
// switched off and saved; the toast says how many rows were re-matched and the
// demo's automatic short pay is now an exception in the grid. A clerk sees the
// rules read-only.

let sandboxes: Sandboxes | undefined;
let host: Host | null = null;

test.afterAll(async () => {
  await host?.proc.stop();
  await sandboxes?.proc.stop();
});


/** The row of a transaction as the grid has it (status, exception, markers). */
async function gridRow(page: Page, id: number): Promise<Pick<GridRow, 'status' | 'exception' | 'markers'> | null> {
  const row = await loadedGridRow(page, id);
  return row ? { status: row.status, exception: row.exception, markers: row.markers ?? [] } : null;
}

test('an admin switches short pays off in Settings → Matching rules; the rows are re-matched at once', async ({ browser }) => {
  sandboxes = await startSandboxes('p21');
  host = await startHost(tempDataDir(), ['--sandbox-file', sandboxes.file]);

  const page = await (await browser.newContext()).newPage();
  await page.goto(host.url);
  await signIn(page, 'admin');

  // An automatic short pay from the demo week, once the first sync has matched it.
  let shortPayId = 0;
  await expect
    .poll(
      async () => {
        const hit = (await viewRows(page)).filter((r) => r.status === 'auto' && (r.markers ?? []).includes('short_pay')).sort((a, b) => a.transactionId - b.transactionId)[0];
        shortPayId = hit?.transactionId ?? 0;
        return shortPayId;
      },
      { timeout: 60_000 },
    )
    .toBeGreaterThan(0);

  // The tab, from the keyboard like the others.
  await page.getByTestId('settings-open').click();
  await page.getByTestId('settings-tab-rules').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('settings-tab-rules')).toHaveAttribute('aria-selected', 'true');
  const tab = page.getByTestId('matching-rules');
  await expect(tab.getByTestId('rules-state')).toHaveText('All rules at their defaults');
  await expect(tab.getByTestId('rules-field-shortPay')).toContainText('Default: Automatic (within the limit).');
  await expect(tab.getByTestId('rules-field-autoWithoutReference')).toContainText('Default: suggested only.');
  await expect(tab.getByTestId('rules-autoWithoutReference')).not.toBeChecked();
  await expect(tab.getByTestId('rules-achReceivedStatuses')).toHaveValue('PROCESSED, SETTLED, FUNDED');

  // A limit above 100% is refused on the form, naming the field; nothing is sent.
  await tab.getByTestId('rules-shortPayAutoMaxPercent').fill('150');
  await tab.getByTestId('rules-save').click();
  await expect(tab.getByTestId('rules-errors')).toContainText('Automatic short pay limit: at most 100%.');
  await tab.getByTestId('rules-shortPayAutoMaxPercent').fill('10');

  // Short pays off, saved with the keyboard.
  await tab.getByTestId('rules-shortPay').selectOption('off');
  await expect(tab.getByTestId('rules-state')).toHaveText('Unsaved rule changes');
  await tab.getByTestId('rules-save').focus();
  await page.keyboard.press('Enter');
  const toast = page.getByTestId('toast').filter({ hasText: 'Matching rules saved' });
  await expect(toast).toContainText(/Matching rules saved: \d+ rows re-matched/);
  await expect(toast).toContainText(/[1-9]\d* match(es)? changed/);
  await expect(tab.getByTestId('rules-errors')).toHaveCount(0);
  await expect(tab.getByTestId('rules-field-shortPay')).toHaveAttribute('data-changed', 'true');
  await expect(tab.getByTestId('rules-state')).toHaveText('1 rule differs from the defaults');
  // The top of the tab (short pays, marked changed) with the toast.
  await page.locator('.modal-body').evaluate((el) => el.scrollTo(0, 0));
  await page.screenshot({ path: shotPath('matching-rules.png') });

  // The grid follows (rows:changed): the short pay is an exception now.
  await expect.poll(async () => (await gridRow(page, shortPayId))?.exception, { timeout: 20_000 }).toBe('short_payment');

  // A clerk sees the rules, read-only.
  const clerk = await (await browser.newContext()).newPage();
  await clerk.goto(host.url);
  await signIn(clerk, 'clerk');
  await clerk.getByTestId('settings-open').click();
  await clerk.getByTestId('settings-tab-rules').click();
  await expect(clerk.getByTestId('rules-readonly')).toContainText('Only an admin can change them');
  await expect(clerk.getByTestId('rules-shortPay')).toHaveValue('off');
  await expect(clerk.getByTestId('rules-shortPay')).toBeDisabled();
  await expect(clerk.getByTestId('rules-save')).toBeDisabled();
});
