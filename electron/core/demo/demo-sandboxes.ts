import { randomBytes } from 'node:crypto';
import type { ErpKind } from '../erp/connector';
import type { ErpOptionValue } from '../erp/kind-module';
import { erpModule } from '../erp/registry';
import type { Logger } from '../log/logger';
import { startPayTraceSandbox } from '../paytrace/sandbox';
import type { Db } from '../store/db';
import { getValue, loadSettings, saveSettings, setValue } from '../store/queries/settings';
import type { CredentialVault } from '../vault/credential-vault';
import { buildDemoWorld, erpOpenItems, type DemoWorld } from './world';

// Demo mode: the PayTrace and ERP sandboxes run on free loopback ports, seeded
// from one demo world, and Tieout connects to them exactly as it would to the
// real systems — credentials included, which go through the same keychain vault.

export type SandboxDescriptor = Readonly<{
  paytrace: Readonly<{ url: string; username: string; password: string }>;
  erp: Readonly<{ kind: ErpKind; baseUrl: string; options: Record<string, ErpOptionValue>; username: string; password: string }>;
}>;

export type RunningDemo = Readonly<{ descriptor: SandboxDescriptor; world: DemoWorld; close(): Promise<void> }>;

export type DemoSandboxes = Readonly<{ descriptor: SandboxDescriptor; close(): Promise<void> }>;

/** Starts both sandboxes from a demo world (used by demo mode and `tieout sandbox`). */
export async function runDemoSandboxes(options: { erpKind: ErpKind; seed?: number; now?: Date; port?: number; erpPort?: number; workDir?: string; payments?: number }): Promise<RunningDemo> {
  const world = buildDemoWorld({ seed: options.seed ?? 42, now: options.now ?? new Date(), ...(options.payments ? { payments: options.payments } : {}) });
  const ptCredentials = { username: 'tieout_demo', password: randomBytes(12).toString('base64url') };
  const paytrace = await startPayTraceSandbox({ world, credentials: ptCredentials, ...(options.port ? { port: options.port } : {}) });
  const erp = await erpModule(options.erpKind).startSandbox({
    customers: world.customers,
    invoices: erpOpenItems(world),
    ...(options.erpPort ? { port: options.erpPort } : {}),
    ...(options.workDir ? { workDir: options.workDir } : {}),
  });
  return {
    world,
    descriptor: {
      paytrace: { url: paytrace.url, ...ptCredentials },
      erp: { kind: options.erpKind, baseUrl: erp.baseUrl, options: { ...erp.options }, username: erp.credentials.username, password: erp.credentials.password },
    },
    async close() {
      await paytrace.close();
      await erp.close();
    },
  };
}

export async function startDemoSandboxes(options: {
  db: Db;
  vault: CredentialVault;
  erpKind: ErpKind;
  descriptor: SandboxDescriptor | undefined;
  logger: Logger;
  workDir?: string;
}): Promise<DemoSandboxes> {
  const { db, vault } = options;
  let running: RunningDemo | null = null;
  let descriptor = options.descriptor;
  if (!descriptor) {
    // The demo world is anchored to the first launch so restarts see the same payments.
    let anchor = getValue(db, 'demo.anchor');
    if (!anchor) {
      anchor = new Date().toISOString();
      setValue(db, 'demo.anchor', anchor);
    }
    running = await runDemoSandboxes({ erpKind: options.erpKind, now: new Date(anchor), ...(options.workDir ? { workDir: options.workDir } : {}) });
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
