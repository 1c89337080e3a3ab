import { randomBytes } from 'node:crypto';
import type { ErpKind } from '../../core/erp/connector';
import type { SandboxDescriptor } from '../../core/demo-mode';
import { erpSandbox } from '../erp/registry';
import { startPayTraceSandbox } from '../paytrace/sandbox';
import { buildDemoWorld, erpOpenItems, type DemoWorld } from './world';

// Demo mode: the PayTrace and ERP sandboxes run on free loopback ports, seeded
// from one demo world, and Tieout connects to them exactly as it would to the
// real systems — credentials included, which go through the same keychain vault.

export type RunningDemo = Readonly<{ descriptor: SandboxDescriptor; world: DemoWorld; close(): Promise<void> }>;

export type { SandboxDescriptor } from '../../core/demo-mode';

/** Starts both sandboxes from a demo world: demo mode's `StartDemo` (passed to createEngine) and `tieout sandbox`. */
export async function runDemoSandboxes(options: { erpKind: ErpKind; seed?: number; now?: Date; port?: number; erpPort?: number; workDir?: string; payments?: number }): Promise<RunningDemo> {
  const world = buildDemoWorld({ seed: options.seed ?? 42, now: options.now ?? new Date(), ...(options.payments ? { payments: options.payments } : {}) });
  const ptCredentials = { username: 'tieout_demo', password: randomBytes(12).toString('base64url') };
  const paytrace = await startPayTraceSandbox({ world, credentials: ptCredentials, ...(options.port ? { port: options.port } : {}) });
  const erp = await erpSandbox(options.erpKind)({
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
