import { expect, type Page } from '@playwright/test';

// Approvals in the UI open a confirmation (issue 15) for more than one row, or
// for a row that deserves a second look. Specs about what happens after an
// approval confirm it here; test/e2e/bulk-approve.spec.ts tests the dialog.

/** After a click that approves: confirms the dialog if it opens, and waits for the approval's toast. */
export async function confirmApprovalIfAsked(page: Page): Promise<void> {
  const dialog = page.getByTestId('approval-dialog');
  const done = page.getByTestId('toast').filter({ hasText: /Approved|Skipped|Nothing to approve/ });
  await expect(dialog.or(done).first()).toBeVisible({ timeout: 30_000 });
  if (await dialog.isVisible()) {
    await dialog.getByTestId('approval-confirm').click();
    await expect(dialog).toBeHidden();
  }
}

/** Clicks "Approve selected" and confirms. */
export async function approveSelected(page: Page): Promise<void> {
  await page.getByTestId('approve-selected').click();
  await confirmApprovalIfAsked(page);
}
