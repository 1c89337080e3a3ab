import type { Page } from '@playwright/test';

/** Signs in as a demo user when the app asks for it (a no-op before sign-in exists). */
export async function signInIfAsked(page: Page, user = 'clerk', password?: string): Promise<void> {
  const form = page.getByTestId('signin-form');
  const grid = page.getByTestId('topbar');
  await Promise.race([form.waitFor({ timeout: 30_000 }).catch(() => {}), grid.waitFor({ timeout: 30_000 }).catch(() => {})]);
  if (!(await form.isVisible())) return;
  await page.getByTestId('signin-username').fill(user);
  await page.getByTestId('signin-password').fill(password ?? process.env.TIEOUT_DEMO_PASSWORD ?? 'demo');
  await page.getByTestId('signin-submit').click();
  await grid.waitFor();
}
