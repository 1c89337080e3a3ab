import { expect, test, type Page } from '@playwright/test';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { signIn } from './support/sign-in';
import { shotPath } from './support/screenshots';

// The clerk's review workflow in the detail panel against the real engine:
// take another ranked candidate and undo it (Ctrl+Z), split a payment across
// two invoices with the running difference reaching zero, undo that, then
// allocate again and approve: the P21 sandbox holds one receipt with both lines.

let sandboxes: Sandboxes;
let host: Host | null = null;

test.afterAll(async () => {
  await host?.proc.stop();
  await sandboxes?.proc.stop();
});

type Alloc = { invoiceNo: string; amountCents: number };
type Cand = { customerId: string | null; allocations: Alloc[] };
type Found = { transactionId: number; customerId: string; candidates: Cand[]; amountCents: number; status: string };

/** Reads candidates through the same authenticated web API the UI uses, to choose test rows. */
async function reviewRows(page: Page): Promise<Found[]> {
  return page.evaluate(async () => {
    const call = async (name: string, args: unknown) => {
      const res = await fetch(`/api/call/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tieout-token': sessionStorage.getItem('tieout.token') ?? '' },
        body: JSON.stringify(args),
      });
      return ((await res.json()) as { value: unknown }).value;
    };
    const rows = (await call('grid:rows', {})) as Array<{ transactionId: number; status: string }>;
    const out: Found[] = [];
    for (const r of rows.filter((x) => x.status === 'review' || x.status === 'auto' || x.status === 'exception')) {
      const d = (await call('grid:detail', { transactionId: r.transactionId })) as { outcome: { candidates: Cand[]; customerId: string | null }; row: { amountCents: number } };
      out.push({ transactionId: r.transactionId, customerId: d.outcome.customerId ?? '', candidates: d.outcome.candidates, amountCents: d.row.amountCents, status: r.status });
    }
    return out;
  });
}

function decimal(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

async function openRow(page: Page, status: string, transactionId: number): Promise<void> {
  await page.getByTestId(`tab-${status}`).click();
  await page.getByTestId('quick-filter').fill(String(transactionId));
  await page.locator(`.ag-row[row-id="${transactionId}"]`).first().dblclick();
  await expect(page.getByTestId('detail-panel')).toHaveAttribute('data-transaction-id', String(transactionId));
}

async function clearToasts(page: Page): Promise<void> {
  const close = page.getByTestId('toast').getByRole('button');
  while ((await close.count()) > 0) await close.first().click();
}

/** Types the lines from one empty line, checking the running difference after the first. */
async function fillLines(page: Page, lines: readonly Alloc[], paymentCents: number): Promise<void> {
  const editor = page.getByTestId('alloc-editor');
  while ((await editor.getByTestId('alloc-line').count()) > 1) await editor.getByTestId('alloc-line-remove').last().click();
  const [first, ...others] = lines as [Alloc, ...Alloc[]];
  await editor.getByTestId('alloc-line-invoice').first().fill(first.invoiceNo);
  await editor.getByTestId('alloc-line-amount').first().fill(decimal(first.amountCents));
  await expect(editor.getByTestId('alloc-difference')).toHaveAttribute('data-cents', String(paymentCents - first.amountCents));
  await expect(editor.getByTestId('alloc-difference')).toHaveAttribute('data-state', 'unapplied');
  for (const line of others) {
    await editor.getByTestId('alloc-add-line').click();
    await editor.getByTestId('alloc-line-invoice').last().fill(line.invoiceNo);
    await editor.getByTestId('alloc-line-amount').last().fill(decimal(line.amountCents));
  }
}

test('review: pick another candidate, allocate across two invoices, approve, undo', async ({ page }) => {
  sandboxes = await startSandboxes('p21');
  host = await startHost(tempDataDir(), ['--sandbox-file', sandboxes.file]);
  await page.goto(host.url);
  await signIn(page, 'clerk');
  await expect.poll(async () => Number(await page.getByTestId('tab-all').getAttribute('data-count')), { timeout: 60_000 }).toBe(sandboxes.payments);
  await expect(page.getByTestId('sync-state')).toHaveText(/Up to date/, { timeout: 60_000 });

  const rows = await reviewRows(page);
  const withAlternative = rows.find((r) => r.candidates.length >= 2 && r.candidates[1]!.customerId !== null);
  const split = rows.find((r) => r !== withAlternative && r.candidates.some((c) => c.customerId && c.allocations.length >= 2 && c.allocations.reduce((s, a) => s + a.amountCents, 0) === r.amountCents));
  expect(withAlternative, 'demo data has a payment with a second candidate').toBeTruthy();
  expect(split, 'demo data has a payment matched across two invoices').toBeTruthy();

  // 1. Use the second candidate, then undo it from the keyboard.
  await openRow(page, withAlternative!.status, withAlternative!.transactionId);
  const cards = page.getByTestId('detail-candidate');
  await cards.nth(1).getByTestId('candidate-use').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Candidate #2 chosen' })).toBeVisible();
  await expect(cards.nth(1).getByTestId('candidate-current')).toBeVisible();
  await expect(page.getByTestId('undo')).toHaveAttribute('data-label', /candidate choice/);
  await page.getByTestId('detail-panel').click({ position: { x: 5, y: 60 } });
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('toast').filter({ hasText: `Undid: candidate choice on ${withAlternative!.transactionId}` })).toBeVisible();
  await expect(cards.nth(1).getByTestId('candidate-use')).toBeVisible();

  // 2. Allocate across two invoices by hand; the running difference reaches zero.
  const cand = split!.candidates.find((c) => c.customerId && c.allocations.length >= 2 && c.allocations.reduce((t, x) => t + x.amountCents, 0) === split!.amountCents)!;
  const [a, b] = cand.allocations as [Alloc, Alloc];
  const rest = cand.allocations.slice(2);
  await openRow(page, 'all', split!.transactionId);
  await page.getByTestId('alloc-open').click();
  const editor = page.getByTestId('alloc-editor');
  await editor.getByTestId('alloc-customer').fill(cand.customerId!);
  await fillLines(page, [a, b, ...rest], split!.amountCents);
  await expect(editor.getByTestId('alloc-difference')).toHaveAttribute('data-cents', '0');
  await expect(editor.getByTestId('alloc-difference')).toHaveAttribute('data-state', 'balanced');
  // One cent too many is refused before it reaches the engine.
  await editor.getByTestId('alloc-line-amount').last().fill(decimal(cand.allocations.at(-1)!.amountCents + 1));
  await expect(editor.getByTestId('alloc-difference')).toHaveAttribute('data-state', 'over');
  await expect(editor.getByTestId('alloc-save')).toBeDisabled();
  await editor.getByTestId('alloc-line-amount').last().fill(decimal(cand.allocations.at(-1)!.amountCents));
  await clearToasts(page);
  await page.screenshot({ path: shotPath('allocation.png') });
  await editor.getByTestId('alloc-save').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Allocation saved' })).toBeVisible();
  await expect(page.getByTestId('detail-history')).toContainText(/Allocation changed by clerk: \S+ \$[\d,]+\.\d{2}/);
  // Words, never the internal codes ("Match allocate", "match.allocate").
  await expect(page.getByTestId('detail-history')).not.toContainText(/match[ .]allocate/i);

  // Undo the allocation, then allocate again and approve.
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('toast').filter({ hasText: `Undid: allocation of ${split!.transactionId}` })).toBeVisible();
  await page.getByTestId('alloc-open').click();
  await editor.getByTestId('alloc-customer').fill(cand.customerId!);
  await fillLines(page, [a, b, ...rest], split!.amountCents);
  await expect(editor.getByTestId('alloc-difference')).toHaveAttribute('data-cents', '0');
  await editor.getByTestId('alloc-save-approve').click();
  await expect(page.getByTestId('detail-status')).toHaveText(/Approved|Posted/);
  await expect(page.getByTestId('detail-status')).toHaveText('Posted', { timeout: 60_000 });

  const res = await fetch(`${sandboxes.erpUrl}/__control/receipts`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  const { receipts } = (await res.json()) as { receipts: Array<{ checkNumber: string; lines: Alloc[] }> };
  const mine = receipts.filter((r) => r.checkNumber === String(split!.transactionId));
  expect(mine).toHaveLength(1);
  expect(mine[0]!.lines.map((l) => l.invoiceNo).sort()).toEqual(cand.allocations.map((l) => l.invoiceNo).sort());

  // Posting has started: undoing the approval is refused in the engine's words, nothing changes.
  await page.keyboard.press('Escape');
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Could not undo' })).toBeVisible();
  await expect(page.getByTestId('toast').filter({ hasText: 'already started' })).toBeVisible();

  // The ERP settings: per-kind option fields, and the payment mapping with a live preview.
  await clearToasts(page);
  await page.getByTestId('settings-open').click();
  await expect(page.getByTestId('settings-erp-options')).toHaveAttribute('data-kind', 'p21');
  await page.getByTestId('settings-erp-options').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shotPath('erp-settings.png') });
  await page.getByTestId('settings-tab-mapping').click();
  // A clerk sees the mapping read-only (only an admin changes it) and previews a payment with the saved one.
  await expect(page.getByTestId('mapping-gl-rule-add')).toBeDisabled();
  await page.getByTestId('mapping-preview-txn').fill(String(split!.transactionId));
  await expect(page.getByTestId('mapping-preview-glAccount')).not.toBeEmpty();
  await expect(page.getByTestId('mapping-preview-rule')).toHaveText('(default account)');
  await page.getByTestId('mapping-preview').scrollIntoViewIfNeeded();
  await page.screenshot({ path: shotPath('erp-mapping.png') });
});
