import { expect, type Page } from '@playwright/test';

// Demo mode seeds clerk, supervisor, supervisor2 and admin with one password
// (docs/users-and-refunds.md). Each browser tab holds its own session.

export const DEMO_PASSWORD = 'tieout-demo-pass';

/** Signs in on the sign-in screen; returns at once if this tab's session is still valid. */
export async function signIn(page: Page, userName: string, password = DEMO_PASSWORD): Promise<void> {
  const form = page.getByTestId('sign-in');
  const menu = page.getByTestId('user-menu');
  await expect(form.or(menu)).toBeVisible({ timeout: 30_000 });
  if (await menu.isVisible()) return;
  await page.getByTestId('sign-in-user').fill(userName);
  await page.getByTestId('sign-in-password').fill(password);
  await page.getByTestId('sign-in-submit').click();
  await expect(menu).toBeVisible();
}

/** The earlier name of this helper, kept for specs written before sign-in existed. */
export async function signInIfAsked(page: Page, user = 'clerk', password?: string): Promise<void> {
  await signIn(page, user, password ?? process.env.TIEOUT_DEMO_PASSWORD ?? DEMO_PASSWORD);
}
