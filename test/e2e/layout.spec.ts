import { expect, test, type Locator, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startHost, tempDataDir, type Host } from './support/processes';
import { signIn } from './support/sign-in';
import { callApi } from './support/api';

// The shell from the smallest supported window (1280×720) to 4K: every top-bar,
// toolbar and detail-panel control is inside the viewport, none overlaps
// another, and tab labels stay on one line. Screenshots land in
// test-results/layout-*.png for a person to look at.

const shots = resolve(__dirname, '../../test-results');
const SIZES = [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
  { width: 3840, height: 2160 },
] as const;

let host: Host | null = null;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  host = await startHost(tempDataDir());
});

test.afterAll(async () => {
  await host?.proc.stop();
});

type Box = Readonly<{ name: string; x: number; y: number; width: number; height: number }>;

/** The visible interactive controls (and the tab strip's tabs) inside a region, with a readable name each. */
async function controls(region: Locator): Promise<Box[]> {
  const items = region.locator('button, input, select, [role="tab"], .user-name, .sync-status');
  const boxes: Box[] = [];
  for (const item of await items.all()) {
    if (!(await item.isVisible())) continue;
    const box = await item.boundingBox();
    if (!box || box.width === 0 || box.height === 0) continue;
    const name = (await item.getAttribute('data-testid')) ?? (await item.getAttribute('aria-label')) ?? (await item.innerText()).trim().slice(0, 30);
    boxes.push({ name, ...box });
  }
  return boxes;
}

function insideViewport(b: Box, vw: number, vh: number): boolean {
  return b.x >= 0 && b.y >= 0 && b.x + b.width <= vw + 0.5 && b.y + b.height <= vh + 0.5;
}

function overlaps(a: Box, b: Box): boolean {
  // One pixel of slack: adjacent controls share an edge.
  return a.x + a.width > b.x + 1 && b.x + b.width > a.x + 1 && a.y + a.height > b.y + 1 && b.y + b.height > a.y + 1;
}

/** Boxes that contain one another (a wrapper and its own button) are not a collision. */
function contains(a: Box, b: Box): boolean {
  return a.x <= b.x + 0.5 && a.y <= b.y + 0.5 && a.x + a.width >= b.x + b.width - 0.5 && a.y + a.height >= b.y + b.height - 0.5;
}

async function expectTidy(page: Page, regionName: string, region: Locator): Promise<void> {
  const vp = page.viewportSize()!;
  const boxes = await controls(region);
  expect(boxes.length, `${regionName} has controls`).toBeGreaterThan(0);
  for (const b of boxes) {
    expect(insideViewport(b, vp.width, vp.height), `${regionName} control ${b.name} at ${JSON.stringify(b)} is inside ${vp.width}×${vp.height}`).toBe(true);
    // Not clipped by an ancestor that hides overflow: the control's centre is the control (or inside it).
    const hit = await page.evaluate(
      ({ x, y }) => {
        const el = document.elementFromPoint(x, y);
        return el ? (el.closest('button, input, select, [role="tab"], .user-name, .sync-status')?.outerHTML.slice(0, 80) ?? el.outerHTML.slice(0, 80)) : null;
      },
      { x: b.x + b.width / 2, y: b.y + b.height / 2 },
    );
    expect(hit, `${regionName} control ${b.name} is not covered`).not.toBeNull();
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (contains(a, b) || contains(b, a)) continue;
      expect(overlaps(a, b), `${regionName}: ${a.name} ${JSON.stringify(a)} overlaps ${b.name} ${JSON.stringify(b)}`).toBe(false);
    }
  }
}

for (const size of SIZES) {
  test(`layout at ${size.width}×${size.height}: every control visible, none overlapping, tab labels on one line`, async ({ browser }) => {
    const context = await browser.newContext({ viewport: size });
    const page = await context.newPage();
    await page.goto(host!.url);
    // The admin sees the most top-bar controls.
    await signIn(page, 'admin');
    await expect.poll(async () => Number(await page.getByTestId('tab-all').getAttribute('data-count')), { timeout: 60_000 }).toBeGreaterThan(0);
    await expect(page.getByTestId('sync-state')).toHaveText('Up to date', { timeout: 60_000 });
    await page.screenshot({ path: join(shots, `layout-${size.width}x${size.height}.png`) });

    // Named controls that must never be cut off, whatever else folds away.
    for (const id of ['sign-out', 'approve-selected', 'quick-filter', 'settings-open', 'sync-now', 'refunds-open', 'tab-all', 'tab-failed']) {
      const box = await page.getByTestId(id).boundingBox();
      expect(box, `${id} is rendered`).not.toBeNull();
      expect(insideViewport({ name: id, ...box! }, size.width, size.height), `${id} ${JSON.stringify(box)} is inside the viewport`).toBe(true);
    }

    // Tab labels never wrap: each label is one line box, and every tab is as tall as the first.
    const tabs = await page.getByRole('tab').all();
    const heights = new Set<number>();
    for (const tab of tabs) {
      const lines = await tab.locator('.tab-label').evaluate((el) => el.getClientRects().length);
      expect(lines, `${await tab.getAttribute('data-testid')} label is on one line`).toBe(1);
      const labelBox = await tab.locator('.tab-label').boundingBox();
      expect(labelBox!.height, `${await tab.getAttribute('data-testid')} label height`).toBeLessThan(24);
      heights.add(Math.round((await tab.boundingBox())!.height));
    }
    expect(heights.size, 'every tab has the same height').toBe(1);

    // The Date column shows date and time in full: no cell's text is cut off.
    const dateCells = page.locator('.ag-row [col-id="createdAt"]');
    await expect(dateCells.first()).toBeVisible();
    const dates = await dateCells.evaluateAll((cells) =>
      cells.map((c) => {
        const value = (c.querySelector('.ag-cell-value') ?? c) as HTMLElement;
        return { text: value.textContent ?? '', clipped: value.scrollWidth > value.clientWidth };
      }),
    );
    expect(dates.length).toBeGreaterThan(0);
    for (const d of dates) {
      expect(d.text).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{1,2}:\d{2} (AM|PM)$/);
      expect(d.clipped, `date ${d.text} is not cut off`).toBe(false);
    }
    expect(dates.some((d) => /1\d:\d{2}/.test(d.text)), 'the page shows a two-digit hour (the widest value)').toBe(true);

    await expectTidy(page, 'top bar', page.getByTestId('topbar'));
    await expectTidy(page, 'toolbar', page.locator('.toolbar'));

    // The detail panel beside the grid: its header buttons are reachable too.
    // A click on a row's id cell focuses it (the panel follows focus); Enter opens the panel.
    await page.locator('.ag-row [col-id="transactionId"]').first().click();
    await page.keyboard.press('Enter');
    const panel = page.getByTestId('detail-panel');
    await expect(panel).toBeVisible();
    await expect(panel.locator('.dp-header')).toBeVisible();
    const panelBox = (await panel.boundingBox())!;
    expect(insideViewport({ name: 'detail-panel', ...panelBox }, size.width, size.height), 'the detail panel is inside the viewport').toBe(true);
    await expectTidy(page, 'detail panel header', panel.locator('.dp-bar, .dp-header'));
    await expectTidy(page, 'top bar with the panel open', page.getByTestId('topbar'));
    await expectTidy(page, 'toolbar with the panel open', page.locator('.toolbar'));

    await page.screenshot({ path: join(shots, `layout-${size.width}x${size.height}-detail.png`) });

    // With a selection the toolbar carries one more item ("250 selected"): still nothing clipped.
    await page.locator('.ag-row [col-id="transactionId"]').first().click();
    await page.keyboard.press('Control+a');
    await expect(page.getByTestId('selection-count')).toBeVisible();
    await expectTidy(page, 'toolbar with a selection', page.locator('.toolbar'));
    await page.screenshot({ path: join(shots, `layout-${size.width}x${size.height}-selected.png`) });
    await context.close();
  });
}

/** Each cell's text extent (the union of its text's boxes), per row of a table. */
async function cellTextBoxes(table: Locator): Promise<Array<Array<{ left: number; right: number; cellLeft: number; cellRight: number; align: string; text: string }>>> {
  return table.locator('tr').evaluateAll((rows) =>
    rows.map((row) =>
      Array.from(row.children).map((cell) => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0);
        const box = cell.getBoundingClientRect();
        return {
          left: rects.length ? Math.min(...rects.map((r) => r.left)) : box.left,
          right: rects.length ? Math.max(...rects.map((r) => r.right)) : box.left,
          cellLeft: box.left,
          cellRight: box.right,
          align: getComputedStyle(cell).textAlign,
          text: (cell.textContent ?? '').trim().slice(0, 24),
        };
      }),
    ),
  );
}

test('refunds dialog at 1280×720: a table with space between columns and money right-aligned', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  await page.goto(host!.url);
  await signIn(page, 'supervisor');
  await expect.poll(async () => Number(await page.getByTestId('tab-all').getAttribute('data-count')), { timeout: 60_000 }).toBeGreaterThan(0);
  // Two refund requests (one with a note) through the engine, as the detail panel would send them,
  // on the first two payments of the Auto tab (sales), found through the detail panel.
  await page.getByTestId('tab-auto').click();
  await page.locator('.ag-row [col-id="transactionId"]').first().click();
  await page.keyboard.press('Enter');
  const panel = page.getByTestId('detail-panel');
  await expect(panel).toHaveAttribute('data-transaction-id', /\d+/);
  const first = Number(await panel.getAttribute('data-transaction-id'));
  await page.keyboard.press('j');
  await expect(panel).not.toHaveAttribute('data-transaction-id', String(first));
  await expect(panel).toHaveAttribute('data-transaction-id', /\d+/);
  const sales = [first, Number(await panel.getAttribute('data-transaction-id'))];
  await page.keyboard.press('Escape');
  await callApi(page, 'refunds:request', { transactionId: sales[0], amountCents: 1_234, reasonCode: 'Overpayment', note: 'Customer paid the freight twice' });
  await callApi(page, 'refunds:request', { transactionId: sales[1], amountCents: 100, reasonCode: 'Overpayment' });

  await page.getByTestId('refunds-open').click();
  const dialog = page.getByTestId('refunds-queue');
  await expect(dialog.getByTestId('refund-row')).toHaveCount(2);
  const dialogBox = (await dialog.boundingBox())!;
  expect(insideViewport({ name: 'refunds', ...dialogBox }, 1280, 720), 'the dialog is inside the viewport').toBe(true);

  // Nothing cut off: no sideways scrolling, every button inside the dialog.
  const body = dialog.locator('.modal-body');
  expect(await body.evaluate((el) => el.scrollWidth <= el.clientWidth + 1), 'the table fits the dialog without scrolling sideways').toBe(true);
  for (const button of await dialog.locator('button').all()) {
    const b = (await button.boundingBox())!;
    expect(b.x >= dialogBox.x && b.x + b.width <= dialogBox.x + dialogBox.width + 0.5, `${await button.innerText()} is inside the dialog`).toBe(true);
  }

  const rows = await cellTextBoxes(dialog.locator('table.refunds-table').first());
  expect(rows.length).toBe(3);
  const header = rows[0]!;
  const amountColumn = header.findIndex((c) => c.text === 'Amount');
  expect(amountColumn).toBeGreaterThan(0);
  for (const row of rows) {
    // At least 12 px between one column's text and the next one's.
    for (let i = 0; i + 1 < row.length; i++) {
      const [a, b] = [row[i]!, row[i + 1]!];
      if (!a.text || !b.text) continue;
      expect(b.left - a.right, `space between "${a.text}" and "${b.text}"`).toBeGreaterThanOrEqual(12);
    }
    // Money (and its header) right-aligned: the text ends at the cell's right padding.
    const money = row[amountColumn]!;
    expect(money.align, `amount "${money.text}" alignment`).toBe('right');
    expect(money.cellRight - money.right, `amount "${money.text}" hugs the right edge`).toBeLessThanOrEqual(16);
  }
  await page.screenshot({ path: join(shots, 'layout-refunds-1280x720.png') });
  await context.close();
});
