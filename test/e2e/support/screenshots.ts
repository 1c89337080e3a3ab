import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

// Specs save what they show. The README's screenshots in resources/ are only
// refreshed on purpose (TIEOUT_UPDATE_SCREENSHOTS=1); a normal run writes to
// test-results/screenshots/ and leaves the tracked files alone.
const root = resolve(__dirname, '../../..');

export const screenshotDir = process.env.TIEOUT_UPDATE_SCREENSHOTS ? join(root, 'resources/screenshots') : join(root, 'test-results/screenshots');
mkdirSync(screenshotDir, { recursive: true });

export function shotPath(name: string): string {
  return join(screenshotDir, name);
}
