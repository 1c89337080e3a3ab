import { expect, test, type Page } from '@playwright/test';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { signIn } from './support/sign-in';
import { callApi } from './support/api';

// The Settings dialog's ERP side as an admin uses it: the option fields of
// each ERP kind come from the engine (erp:kinds); the payment mapping is
// edited, previewed before saving, saved as version 1 and still there after a
// reload. A clerk may look but not save, and is told so.

let sandboxes: Sandboxes | null = null;
let host: Host | null = null;

test.afterAll(async () => {
  await host?.proc.stop();
  await sandboxes?.proc.stop();
});


async function openMapping(page: Page): Promise<void> {
  await page.getByTestId('settings-open').click();
  await expect(page.getByTestId('settings-dialog')).toBeVisible();
  await page.getByTestId('settings-tab-mapping').click();
  await expect(page.getByTestId('settings-mapping')).toBeVisible();
}

test('ERP kind fields, GL rule edit with preview, save as version 1, persisted after reload', async ({ page }) => {
  sandboxes = await startSandboxes('p21');
  host = await startHost(tempDataDir(), ['--sandbox-file', sandboxes.file]);
  await page.goto(host.url);
  await signIn(page, 'admin');
  await expect.poll(async () => Number(await page.getByTestId('tab-all').getAttribute('data-count')), { timeout: 60_000 }).toBeGreaterThan(0);

  // Switching the ERP kind renders that kind's option fields, as erp:kinds lists them.
  const kinds = (await callApi(page, 'erp:kinds')) as Array<{ kind: string; optionFields: Array<{ key: string; label: string; default: unknown; unconfirmed?: boolean }> }>;
  const abas = kinds.find((k) => k.kind === 'abas');
  expect(abas?.optionFields.length).toBeGreaterThan(0);
  await page.getByTestId('settings-open').click();
  // The kind picker names each ERP exactly as the engine does (it once carried its own, drifted labels).
  const labels = (await callApi(page, 'erp:kinds')) as Array<{ kind: string; label: string }>;
  for (const k of labels) await expect(page.getByTestId('settings-erp-kind').locator(`option[value="${k.kind}"]`)).toHaveText(k.label);
  const options = page.getByTestId('settings-erp-options');
  await expect(options).toHaveAttribute('data-kind', 'p21');
  await page.getByTestId('settings-erp-kind').selectOption('abas');
  await expect(options).toHaveAttribute('data-kind', 'abas');
  await expect(options.locator('[data-testid^="settings-erp-field-"]')).toHaveCount(abas!.optionFields.length);
  for (const f of abas!.optionFields.slice(0, 5)) {
    await expect(page.getByTestId(`settings-erp-field-${f.key}`)).toContainText(f.label);
  }
  const unconfirmed = abas!.optionFields.find((f) => f.unconfirmed);
  if (unconfirmed) await expect(page.getByTestId(`settings-erp-unconfirmed-${unconfirmed.key}`)).toBeVisible();
  await page.getByTestId('settings-erp-kind').selectOption('p21');
  await expect(options).toHaveAttribute('data-kind', 'p21');
  await page.getByTestId('settings-close').click();

  // "Ask the ERP": the saved connection's own answers (what `tieout erp check` prints), read-only.
  await page.getByTestId('settings-open').click();
  await page.getByTestId('erp-discover').click();
  const lines = page.getByTestId('erp-discover-line');
  await expect(lines.filter({ hasText: 'receipt service' })).toHaveAttribute('data-ok', 'true');
  await expect(lines.filter({ hasText: 'payment types' })).toContainText('Credit Card');
  await page.getByTestId('settings-close').click();

  // Edit a GL rule: the preview shows the unsaved rule.
  await openMapping(page);
  await expect(page.getByTestId('mapping-version')).toContainText('Version 0');
  await page.getByTestId('mapping-gl-rule-add').click();
  await page.getByTestId('mapping-gl-rule-account').fill('1020');
  await expect(page.getByTestId('mapping-preview-glAccount')).toContainText('1020');
  await expect(page.getByTestId('mapping-preview-rule')).toHaveText('(rule 1)');

  // Save: a toast and version 1 in the history.
  await page.getByTestId('mapping-save').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'saved as version 1' })).toBeVisible();
  await expect(page.getByTestId('mapping-version')).toContainText('Version 1');
  await expect(page.getByTestId('mapping-history').locator('tbody tr')).toHaveCount(1);
  await expect(page.getByTestId('mapping-history')).toContainText('v1');
  await expect(page.getByTestId('mapping-history')).toContainText('admin');

  // Reload: still version 1 with the rule.
  await page.reload();
  await signIn(page, 'admin');
  await openMapping(page);
  await expect(page.getByTestId('mapping-version')).toContainText('Version 1');
  await expect(page.getByTestId('mapping-gl-rule-account')).toHaveValue('1020');
  await expect(page.getByTestId('mapping-save')).toBeDisabled();

  // A rule without an account: Save is disabled and says why, the field is marked.
  await page.getByTestId('mapping-gl-rule-add').click();
  await expect(page.getByTestId('mapping-save')).toBeDisabled();
  await expect(page.getByTestId('mapping-save-reason')).toContainText('Fix the problem');
  await expect(page.getByTestId('mapping-issues')).toContainText('GL rule 2: GL account is required');
  await expect(page.getByTestId('mapping-gl-rule-account').nth(1)).toHaveAttribute('aria-invalid', 'true');
  await page.getByTestId('mapping-gl-rule-remove').nth(1).click();
  await expect(page.getByTestId('mapping-save-reason')).toHaveCount(0);
});

test('a clerk sees the mapping but is told only an admin can save it', async ({ browser }) => {
  expect(host, 'the first test started the host').not.toBeNull();
  const page = await browser.newPage();
  await page.goto(host!.url);
  await signIn(page, 'clerk');
  await openMapping(page);
  await expect(page.getByTestId('mapping-version')).toContainText('Version 1');
  await expect(page.getByTestId('mapping-save')).toBeDisabled();
  await expect(page.getByTestId('mapping-save-reason')).toContainText('Only an admin can save the payment mapping');
  // The fields are read-only for a clerk (was: editable, refused only on Save); the preview still works with the saved mapping.
  await expect(page.getByTestId('mapping-gl-rule-account')).toBeDisabled();
  await expect(page.getByTestId('mapping-gl-rule-account')).toHaveValue('1020');
  await expect(page.getByTestId('mapping-gl-rule-add')).toBeDisabled();
  await expect(page.getByTestId('mapping-preview-glAccount')).toContainText('1020');
  await expect(page.getByTestId('mapping-save-reason')).toContainText('signed in as clerk');
  // And the engine refuses the call itself, in words a clerk can act on.
  const current = (await callApi(page, 'erp:mapping')) as { mapping: unknown };
  const refused = await callApi(page, 'erp:mappingSave', { mapping: current.mapping }).then(
    () => 'saved',
    (e: Error) => e.message,
  );
  expect(refused).toMatch(/admin/i);
  await page.close();
});
