import { expect, test, type Page } from '@playwright/test';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { DEMO_PASSWORD, signIn } from './support/sign-in';
import { callApi } from './support/api';
import { openDetail, viewRows } from './support/grid';
import { shotPath } from './support/screenshots';

// The approvals inbox in two browser contexts (issue 15 point 2): a clerk asks
// for a write-off above their limit and for a refund; the supervisor's top bar
// counts both, the inbox lists both, and approving one from the keyboard
// (Enter, password, Enter) leaves one, on the badge and in the list.

let sandboxes: Sandboxes | undefined;
let host: Host | null = null;

test.afterAll(async () => {
  await host?.proc.stop();
  await sandboxes?.proc.stop();
});

/** The default clerk limit (controls.policy approvalAboveCents, $25.00) and the second-approver limit ($500.00). */
const CLERK_LIMIT_CENTS = 2_500;
const SECOND_APPROVER_CENTS = 50_000;

/** Transactions in the grid matching one of two shapes: a short pay above the clerk limit, or an auto-matched payment. */
/** Rows to act on, read from the engine's windows (the grid holds only what is on screen). */
async function candidates(page: Page) {
  const rows = await viewRows(page, 'all');
  const [low, high] = [CLERK_LIMIT_CENTS, SECOND_APPROVER_CENTS];
  const shortPays: number[] = [];
  const matched: number[] = [];
  for (const r of rows) {
    const short = r.differenceCents == null ? 0 : -r.differenceCents;
    if (r.status === 'exception' && r.exception === 'short_payment' && short > low && short < high) shortPays.push(r.transactionId);
    if (r.status === 'auto' && r.amountCents > 5_000) matched.push(r.transactionId);
  }
  return { shortPays: shortPays.sort((a, b) => a - b), matched: matched.sort((a, b) => a - b) };
}

test('a clerk asks for a write-off and a refund; the supervisor sees 2 on the top bar, approves one from the inbox and sees 1', async ({ browser }) => {
  sandboxes = await startSandboxes('p21');
  host = await startHost(tempDataDir(), ['--sandbox-file', sandboxes.file]);
  const clerk = await (await browser.newContext()).newPage();
  const supervisor = await (await browser.newContext()).newPage();

  await clerk.goto(host.url);
  await signIn(clerk, 'clerk');
  await expect(clerk.getByTestId('sync-state')).toHaveText('Up to date', { timeout: 60_000 });
  await expect.poll(async () => (await candidates(clerk)).shortPays.length, { timeout: 30_000 }).toBeGreaterThan(0);
  const { shortPays, matched } = await candidates(clerk);
  const writeOffOn = shortPays[0]!;
  const refundOn = matched.find((id) => id !== writeOffOn)!;
  expect(refundOn, 'the demo data has an auto-matched payment to refund').toBeDefined();

  // Nothing waits yet: a clerk sees no "My requests" button.
  await expect(clerk.getByTestId('inbox-open')).toHaveCount(0);
  const writeOff = await callApi<{ state: string }>(clerk, 'controls:requestWriteOff', { transactionId: writeOffOn, reasonCode: 'Customer dispute', note: 'Freight charge disputed' });
  expect(writeOff.state).toBe('requested');
  const refund = await callApi<{ state: string }>(clerk, 'refunds:request', { transactionId: refundOn, amountCents: 1_000, reasonCode: 'Customer request', note: 'Returned one item' });
  expect(refund.state).toBe('requested');
  // The clerk follows their own requests (rows:changed refreshes the count).
  await expect(clerk.getByTestId('inbox-count')).toHaveText('2');
  await expect(clerk.getByTestId('refunds-count')).toHaveText('1');

  await supervisor.goto(host.url);
  await signIn(supervisor, 'supervisor');
  await expect(supervisor.getByTestId('inbox-count')).toHaveText('2');
  await expect(supervisor.getByTestId('refunds-count')).toHaveText('1');
  await supervisor.getByTestId('inbox-open').click();
  const panel = supervisor.getByTestId('inbox-panel');
  await expect(panel.getByTestId('inbox-item')).toHaveCount(2);
  const refundItem = panel.locator('[data-testid="inbox-item"][data-kind="refund"]');
  const writeOffItem = panel.locator('[data-testid="inbox-item"][data-kind="write_off"]');
  await expect(refundItem).toContainText(`#${refundOn}`);
  await expect(refundItem).toContainText('$10.00');
  await expect(refundItem).toContainText('asked by clerk');
  await expect(refundItem).toContainText('Customer request: Returned one item');
  await expect(writeOffItem).toContainText(`#${writeOffOn}`);
  await expect(writeOffItem).toContainText('Customer dispute: Freight charge disputed');
  await expect(writeOffItem).toContainText('Needs:');
  await supervisor.screenshot({ path: shotPath('inbox-two-waiting.png') });

  // Keyboard: the first item (the refund) has focus; ↓ moves to the write-off, ↑ back; Enter asks for the password, Enter approves.
  await expect(refundItem).toBeFocused();
  await supervisor.keyboard.press('ArrowDown');
  await expect(writeOffItem).toBeFocused();
  await supervisor.keyboard.press('ArrowUp');
  await expect(refundItem).toBeFocused();
  await supervisor.keyboard.press('Enter');
  await expect(refundItem.getByTestId('inbox-password')).toBeFocused();
  await supervisor.keyboard.type(DEMO_PASSWORD);
  await supervisor.keyboard.press('Enter');

  await expect(panel.getByTestId('inbox-item')).toHaveCount(1);
  await expect(writeOffItem).toHaveCount(1);
  await expect(supervisor.getByTestId('inbox-count')).toHaveText('1');
  await expect(supervisor.getByTestId('refunds-count')).toHaveCount(0);
  const refunds = await callApi<Array<{ state: string; approvals: Array<{ by: string }> }>>(supervisor, 'refunds:list', { transactionId: refundOn });
  expect(refunds[0]?.approvals.map((a) => a.by)).toEqual(['supervisor']);
  // The clerk's count follows the decision too.
  await expect(clerk.getByTestId('inbox-count')).toHaveText('1');
  await supervisor.screenshot({ path: shotPath('inbox-one-left.png') });

  // The refund form on a sale that has not settled offers the choice: refund when it settles (default), or void it whole now.
  const unsettled = await (async () => {
    for (const id of matched.filter((m) => m !== refundOn && m !== writeOffOn)) {
      const r = await callApi<{ settled: boolean; amountCents: number; refundableCents: number }>(clerk, 'refunds:refundable', { transactionId: id });
      if (!r.settled && r.refundableCents === r.amountCents) return { id, amountCents: r.amountCents };
    }
    return null;
  })();
  expect(unsettled, 'the demo data has an unsettled auto-matched sale').not.toBeNull();
  await openDetail(clerk, unsettled!.id);
  const refunds2 = clerk.getByTestId('detail-panel').getByTestId('detail-refunds');
  await refunds2.getByTestId('request-refund').click();
  await expect(refunds2.getByTestId('refund-unsettled')).toBeVisible();
  await expect(refunds2.getByTestId('refund-on-settle')).toBeChecked();
  await refunds2.getByTestId('refund-amount').fill('5.00');
  await refunds2.getByTestId('refund-void-now').check();
  await expect(refunds2.getByTestId('refund-amount')).toBeDisabled();
  await clerk.screenshot({ path: shotPath('refund-unsettled-choice.png') });
  await refunds2.getByTestId('refund-submit').click();
  await expect(refunds2.getByTestId('detail-refund')).toHaveCount(1);
  const voidRequest = await callApi<Array<{ amountCents: number; state: string }>>(clerk, 'refunds:list', { transactionId: unsettled!.id });
  expect(voidRequest).toEqual([expect.objectContaining({ amountCents: unsettled!.amountCents, state: 'requested' })]);
  // It joins the supervisor's queue at once.
  await expect(supervisor.getByTestId('inbox-count')).toHaveText('2');
  await expect(panel.locator('[data-testid="inbox-item"][data-kind="refund"]')).toContainText(`#${unsettled!.id}`);
});
