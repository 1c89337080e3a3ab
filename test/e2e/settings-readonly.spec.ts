import { expect, test, type Locator, type Page } from '@playwright/test';
import { join, resolve } from 'node:path';
import { startHost, tempDataDir, type Host } from './support/processes';
import { signIn } from './support/sign-in';

// Settings for a role that cannot save them: the clerk sees every field
// read-only, Save disabled and a line saying who may change them (was: the
// fields were editable and the refusal came only on Save). The admin, for
// contrast, edits the same fields. A clerk still changes their own password.

const shots = resolve(__dirname, '../../test-results');
let host: Host | null = null;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  host = await startHost(tempDataDir());
});

test.afterAll(async () => {
  await host?.proc.stop();
});

async function openSettings(page: Page, user: string): Promise<Locator> {
  await page.goto(host!.url);
  await signIn(page, user);
  await page.getByTestId('settings-open').click();
  const dialog = page.getByTestId('settings-dialog');
  await expect(dialog).toBeVisible();
  return dialog;
}

/** Every editable field (inputs, selects, checkboxes) in a region, with its test id or label. */
async function fields(region: Locator): Promise<Array<{ name: string; disabled: boolean }>> {
  return region.locator('input, select, textarea').evaluateAll((els) =>
    els
      .filter((e) => (e as HTMLInputElement).type !== 'hidden')
      .map((e) => ({ name: e.getAttribute('data-testid') ?? e.getAttribute('aria-label') ?? e.id, disabled: e.matches(':disabled') })),
  );
}

test('clerk: connections, payment mapping and matching rules are read-only with who may change them; own password still editable', async ({ page }) => {
  const dialog = await openSettings(page, 'clerk');

  // Connections: every field disabled, credential buttons too, Save disabled, the notice names the admin.
  await expect(dialog.getByTestId('settings-read-only')).toContainText('only an admin can change');
  await expect(dialog.getByTestId('settings-read-only')).toContainText('clerk');
  const connectionFields = await fields(dialog.locator('.modal-body'));
  expect(connectionFields.length).toBeGreaterThan(8);
  expect(connectionFields.filter((f) => !f.disabled)).toEqual([]);
  for (const id of ['credentials-paytrace-replace', 'credentials-erp-replace']) await expect(dialog.getByTestId(id)).toBeDisabled();
  await expect(dialog.getByTestId('settings-save')).toBeDisabled();
  await expect(dialog.getByTestId('settings-save-state')).toHaveText('Read only for your role');
  // Testing what is saved is a clerk's right.
  await expect(dialog.getByTestId('connection-test-paytrace')).toBeEnabled();
  await page.screenshot({ path: join(shots, 'settings-read-only-clerk.png') });

  // Payment mapping: fields disabled, the reason beside Save.
  await dialog.getByTestId('settings-tab-mapping').click();
  await expect(dialog.getByTestId('mapping-save-reason')).toContainText('Only an admin can save the payment mapping');
  await expect(dialog.getByTestId('mapping-card')).toBeVisible();
  const mappingFields = await fields(dialog.getByTestId('mapping-fields'));
  expect(mappingFields.length).toBeGreaterThan(5);
  expect(mappingFields.filter((f) => !f.disabled)).toEqual([]);
  await expect(dialog.getByTestId('mapping-save')).toBeDisabled();

  // Matching rules: read-only too.
  await dialog.getByTestId('settings-tab-rules').click();
  await expect(dialog.getByTestId('rules-readonly')).toBeVisible();
  const ruleFields = await fields(dialog.getByTestId('matching-rules'));
  expect(ruleFields.length).toBeGreaterThan(3);
  expect(ruleFields.filter((f) => !f.disabled)).toEqual([]);

  // The clerk's own sign-in is theirs to change.
  await dialog.getByTestId('settings-tab-own-sign-in').click();
  const own = await fields(dialog.locator('.modal-body'));
  expect(own.length).toBeGreaterThan(0);
  expect(own.every((f) => !f.disabled)).toBe(true);
});

test('admin: the same fields are editable and Save follows the edits', async ({ page }) => {
  const dialog = await openSettings(page, 'admin');
  await expect(dialog.getByTestId('settings-read-only')).toHaveCount(0);
  await expect(dialog.getByTestId('settings-paytrace-lookbackDays')).toBeEnabled();
  await dialog.getByTestId('settings-paytrace-lookbackDays').fill('45');
  await expect(dialog.getByTestId('settings-save')).toBeEnabled();
  await dialog.getByTestId('settings-tab-mapping').click();
  await expect(dialog.getByTestId('mapping-card')).toBeEnabled();
});
