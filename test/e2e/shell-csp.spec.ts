import { expect, test } from '@playwright/test';
import { startHost, startSandboxes, tempDataDir, type Host, type Sandboxes } from './support/processes';
import { signIn } from './support/sign-in';

// The page under its real Content-Security-Policy in Chromium, through the web
// host: loading, signing in and showing the grid (AG Grid injects its theme
// CSS at run time, under this response's style nonce) report no CSP
// violation; the session is out of page script's reach; signing out says so.

let sandboxes: Sandboxes;
let host: Host | null = null;

test.afterAll(async () => {
  await host?.proc.stop();
  await sandboxes?.proc.stop();
});

test('no CSP violation on load and sign-in; the session is not readable by page script; sign-out says "Signed out"', async ({ page }) => {
  sandboxes = await startSandboxes('p21');
  host = await startHost(tempDataDir(), ['--sandbox-file', sandboxes.file]);

  const cspMessages: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspMessages.push(`${m.type()}: ${m.text()}`);
  });
  // Violations are also events in the page; collect them from the first script on.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (globalThis as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });

  await page.goto(host.url);
  await signIn(page, 'clerk');
  await expect(page.locator('.ag-row').first()).toBeVisible({ timeout: 60_000 });

  expect(await page.evaluate(() => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
  expect(cspMessages).toEqual([]);
  // style-src has no 'unsafe-inline': the grid's injected theme CSS applies because each <style> carries this load's nonce.
  const styles = await page.evaluate(() => {
    const all = [...document.querySelectorAll('style')];
    const wrapper = document.querySelector('.ag-root-wrapper');
    return { count: all.length, withNonce: all.filter((el) => el.nonce !== '').length, gridDisplay: wrapper ? getComputedStyle(wrapper).display : null, rowPosition: getComputedStyle(document.querySelector('.ag-row')!).position };
  });
  expect(styles.count).toBeGreaterThan(0);
  expect(styles.withNonce).toBe(styles.count);
  expect(styles.rowPosition).toBe('absolute'); // set only by AG Grid's injected CSS

  // Signed in, yet nothing page script can read holds the session.
  const visible = await page.evaluate(() => ({ cookie: document.cookie, storage: JSON.stringify({ ...sessionStorage }), local: JSON.stringify({ ...localStorage }) }));
  expect(visible.cookie).not.toMatch(/tieout_session/);
  expect(visible.storage).not.toMatch(/session/);
  expect(visible.local).not.toMatch(/session/);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name.startsWith('tieout_session_'));
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Strict');

  await page.getByTestId('sign-out').click();
  await expect(page.getByTestId('sign-in-notice')).toHaveText('Signed out.');
  expect((await page.context().cookies()).find((c) => c.name.startsWith('tieout_session_'))).toBeUndefined();
});
