import type { Clock } from './clock';
import type { ErpKind } from './erp/connector';
import type { ErpOptionValue } from './erp/kind-module';
import type { Logger } from './log/logger';
import type { Db } from './store/db';
import { loadSettings, saveSettings } from './store/queries/settings';
import { readSyncCursor, writeSyncCursor } from './store/queries/sync-cursors';
import type { CredentialVault } from './vault/credential-vault';

// Demo mode as the engine sees it: a PayTrace and an ERP sandbox described by
// URLs and credentials, which Tieout connects to exactly as it would to the
// real systems — credentials included, through the same keychain vault. The
// sandboxes themselves are not part of the core: the caller of createEngine
// injects `StartDemo` (electron/sandboxes/demo/demo-sandboxes.ts).

export type SandboxDescriptor = Readonly<{
  paytrace: Readonly<{ url: string; username: string; password: string }>;
  erp: Readonly<{ kind: ErpKind; baseUrl: string; options: Record<string, ErpOptionValue>; username: string; password: string }>;
}>;

/** Starts both sandboxes, seeded from one demo world anchored at `now`. */
export type StartDemo = (options: { erpKind: ErpKind; now: Date }) => Promise<Readonly<{ descriptor: SandboxDescriptor; close(): Promise<void> }>>;

export type DemoSandboxes = Readonly<{ descriptor: SandboxDescriptor; close(): Promise<void> }>;

/** Points the settings and the vault at the demo sandboxes, starting them first unless `descriptor` names running ones. */
export async function connectDemo(options: {
  db: Db;
  vault: CredentialVault;
  erpKind: ErpKind;
  descriptor: SandboxDescriptor | undefined;
  startDemo: StartDemo | undefined;
  logger: Logger;
  clock: Clock;
}): Promise<DemoSandboxes> {
  const { db, vault } = options;
  let running: Awaited<ReturnType<StartDemo>> | null = null;
  let descriptor = options.descriptor;
  if (!descriptor) {
    if (!options.startDemo) throw Object.assign(new Error('Demo mode needs the demo sandboxes: pass startDemo (or a running sandbox) to createEngine'), { kind: 'config' });
    // The demo world is anchored to the first launch so restarts see the same
    // payments: all of them in the 7 days before the anchor, none after it. An
    // anchor later than now (a clock set back) would date payments in the
    // future, so it moves back to now.
    const now = options.clock.iso();
    let anchor = readSyncCursor(db, 'demo.anchor');
    if (!anchor || Date.parse(anchor) > Date.parse(now)) {
      anchor = now;
      writeSyncCursor(db, 'demo.anchor', anchor);
    }
    running = await options.startDemo({ erpKind: options.erpKind, now: new Date(anchor) });
    descriptor = running.descriptor;
    options.logger.info(`PayTrace sandbox at ${descriptor.paytrace.url}; ${options.erpKind} sandbox at ${descriptor.erp.baseUrl}`);
  }
  const settings = loadSettings(db);
  saveSettings(db, {
    ...settings,
    paytrace: { ...settings.paytrace, environment: 'demo', baseUrl: descriptor.paytrace.url },
    erp: { ...settings.erp, kind: descriptor.erp.kind, demo: true, baseUrl: descriptor.erp.baseUrl, options: { ...settings.erp.options, ...descriptor.erp.options } },
  });
  await vault.set('paytrace', { username: descriptor.paytrace.username, password: descriptor.paytrace.password });
  await vault.set('erp', { username: descriptor.erp.username, password: descriptor.erp.password });
  return { descriptor, close: async () => running?.close() };
}
