import { expect, test, type Page } from '@playwright/test';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { viewRows } from './support/grid';
import { DEMO_PASSWORD, signIn } from './support/sign-in';
import { engineCall } from './support/api';

// The admin screens (Settings → Users, Approval limits): the demo admin creates
// a clerk, who signs in in a second browser context and sees no admin tabs (and
// the engine refuses the admin calls); the last admin cannot be demoted; an
// invalid limit is refused on the form; lowering the refund self-approval limit
// takes effect at once for a supervisor in a third context.

let sandboxes: Sandboxes | undefined;
let host: Host | null = null;

test.afterAll(async () => {
  await host?.proc.stop();
  await sandboxes?.proc.stop();
});


const NEW_CLERK = 'clerk.two';
const NEW_PASSWORD = 'Clerk-two-passphrase-42';


async function openSettingsTab(page: Page, tab: 'users' | 'limits'): Promise<void> {
  if (!(await page.getByTestId('settings-dialog').isVisible())) await page.getByTestId('settings-open').click();
  await page.getByTestId(`settings-tab-${tab}`).click();
  await expect(page.getByTestId(`settings-tab-${tab}`)).toHaveAttribute('aria-selected', 'true');
}

test('an admin manages users and approval limits; a clerk cannot; a new limit takes effect at once', async ({ browser }) => {
  sandboxes = await startSandboxes('p21');
  host = await startHost(tempDataDir(), ['--sandbox-file', sandboxes.file]);

  const admin = await (await browser.newContext()).newPage();
  await admin.goto(host.url);
  await signIn(admin, 'admin');

  // Users: the demo users are listed; create a clerk with a strength hint on the way.
  await openSettingsTab(admin, 'users');
  const users = admin.getByTestId('admin-users');
  await expect(users.getByTestId('admin-user-supervisor')).toHaveAttribute('data-role', 'supervisor');
  await expect(users.getByTestId('admin-user-admin').getByTestId('admin-user-last-sign-in')).not.toHaveText('—');
  const form = admin.getByTestId('admin-create-user');
  await form.getByTestId('admin-new-name').fill(NEW_CLERK);
  await form.getByTestId('admin-new-display').fill('Second Clerk');
  await form.getByTestId('admin-new-password').fill('short');
  await expect(form.getByTestId('admin-new-password-strength')).toHaveAttribute('data-level', 'too-short');
  await expect(form.getByTestId('admin-create-submit')).toBeDisabled();
  await form.getByTestId('admin-new-password').fill(NEW_PASSWORD);
  await expect(form.getByTestId('admin-new-password-strength')).toHaveAttribute('data-level', 'strong');
  await form.getByTestId('admin-new-role').selectOption('clerk');
  await form.getByTestId('admin-create-submit').click();
  const newRow = users.getByTestId(`admin-user-${NEW_CLERK}`);
  await expect(newRow).toHaveAttribute('data-role', 'clerk');
  await expect(newRow.getByTestId('admin-user-last-sign-in')).toHaveText('—');
  await expect(form.getByTestId('admin-new-password')).toHaveValue('');

  // The new clerk signs in in a second context: no admin tabs, and the engine refuses admin calls.
  const clerk = await (await browser.newContext()).newPage();
  await clerk.goto(host.url);
  await signIn(clerk, NEW_CLERK, NEW_PASSWORD);
  await clerk.getByTestId('settings-open').click();
  await expect(clerk.getByTestId('settings-tab-connections')).toBeVisible();
  await expect(clerk.getByTestId('settings-tab-users')).toHaveCount(0);
  await expect(clerk.getByTestId('settings-tab-limits')).toHaveCount(0);
  expect(await engineCall(clerk, 'auth:users', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  expect(await engineCall(clerk, 'refunds:setPolicy', { secondApproverAboveCents: 0 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

  // Back on the admin's screen the clerk's sign-in shows.
  await admin.getByTestId('settings-tab-limits').click();
  await admin.getByTestId('settings-tab-users').click();
  await expect(users.getByTestId(`admin-user-${NEW_CLERK}`).getByTestId('admin-user-last-sign-in')).not.toHaveText('—');

  // The only admin cannot be demoted: the engine refuses and the row keeps its role.
  await users.getByTestId('admin-user-admin').getByTestId('admin-user-role').selectOption('clerk');
  await expect(admin.getByText(/admin is the last admin/)).toBeVisible();
  await expect(users.getByTestId('admin-user-admin')).toHaveAttribute('data-role', 'admin');
  await expect(users.getByTestId('admin-user-admin').getByTestId('admin-user-role')).toHaveValue('admin');

  // Approval limits: a bad amount and an inverted pair are refused on the form.
  await openSettingsTab(admin, 'limits');
  const limits = admin.getByTestId('admin-limits');
  await expect(limits.getByTestId('limits-refundSecond')).toHaveValue('500.00');
  await limits.getByTestId('limits-refundSecond').fill('abc');
  await limits.getByTestId('limits-controlAdmin').fill('0.50');
  await limits.getByTestId('limits-save').click();
  await expect(limits.getByTestId('limits-errors')).toContainText('is not an amount');
  await expect(limits.getByTestId('limits-errors')).toContainText('admin limit cannot be below');
  await limits.getByTestId('limits-revert').click();
  expect(await engineCall(admin, 'refunds:policy', {})).toMatchObject({ ok: true, value: { secondApproverAboveCents: 50_000 } });

  // Lower the refund self-approval limit to $1.00 (tightens: applies at once) and add a reason code and
  // raise the write-off admin limit (loosen: they wait for a second admin, issue 12).
  await limits.getByTestId('limits-refundSecond').fill('1.00');
  await limits.getByTestId('limits-refundReasons').fill('Customer request\nGoodwill');
  await limits.getByTestId('limits-controlAdmin').fill('9,000.00');
  await limits.getByTestId('limits-save').click();
  await expect(limits.getByTestId('limits-errors')).toHaveCount(0);
  await expect(limits.getByTestId('limits-save')).toBeDisabled();
  expect(await engineCall(admin, 'refunds:policy', {})).toMatchObject({ ok: true, value: { secondApproverAboveCents: 100, reasonCodes: ['Customer request'] } });
  expect(await engineCall(admin, 'controls:policy', {})).toMatchObject({ ok: true, value: { adminAboveCents: 500_000 } });
  const pendingList = limits.getByTestId('pending-changes');
  await expect(pendingList).toContainText('Refunds: reason codes added: Goodwill');
  await expect(pendingList).toContainText('Write-offs and overrides: admin limit $5,000.00 → $9,000.00');
  // The admin who asked cannot approve it (four-eyes): the engine refuses, the button is off.
  await expect(pendingList.getByTestId('pending-approve').first()).toBeDisabled();
  const waiting = (await engineCall(admin, 'admin:pendingChanges', {})).value as Array<{ id: number }>;
  expect(await engineCall(admin, 'admin:approveChange', { changeId: waiting[0]!.id, password: DEMO_PASSWORD })).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/another admin/) } });

  // It takes effect at once: a supervisor's own $2.00 refund now needs a second supervisor.
  const supervisor = await (await browser.newContext()).newPage();
  await supervisor.goto(host.url);
  await signIn(supervisor, 'supervisor');
  await expect(supervisor.getByTestId('sync-state')).toHaveText('Up to date', { timeout: 60_000 });
  const findSale = async () =>
    (await viewRows(supervisor))
      .filter((r) => (r.status === 'auto' || r.status === 'posted') && r.amountCents >= 1_000)
      .map((r) => r.transactionId)
      .sort((a, b) => a - b)[0] ?? null;
  // "Up to date" can show a moment before the grid has re-read its rows (gathered row reads): wait for them.
  await expect.poll(findSale, { message: 'the demo data has a matched sale', timeout: 30_000 }).not.toBeNull();
  const saleId = await findSale();
  const request = await engineCall(supervisor, 'refunds:request', { transactionId: saleId, amountCents: 200, reasonCode: 'Customer request' });
  expect(request).toMatchObject({ ok: true, value: { state: 'requested', approvalRule: expect.stringMatching(/second supervisor \(above \$1\.00\)/) } });
  const refundId = (request.value as { id: number }).id;
  const own = await engineCall(supervisor, 'refunds:approve', { refundId, password: 'tieout-demo-pass' });
  expect(own).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/four-eyes/) } });
  // A second supervisor can.
  const other = await (await browser.newContext()).newPage();
  await other.goto(host.url);
  await signIn(other, 'supervisor2');
  expect(await engineCall(other, 'refunds:approve', { refundId, password: 'tieout-demo-pass' })).toMatchObject({ ok: true, value: { approvals: [{ by: 'supervisor2' }] } });
});
