import { PayTraceClient, type PayTraceClientOptions } from '../../electron/core/paytrace/client';
import type { RunningPayTraceSandbox } from '../../electron/sandboxes/paytrace/sandbox';

export const CREDENTIALS = { username: 'tieout-api-user', password: 'S3cret-Pa55word!' } as const;
export const INTEGRATOR_ID = '9575315uXt4u';

export function clientFor(sandbox: RunningPayTraceSandbox, overrides: Partial<PayTraceClientOptions> = {}): PayTraceClient {
  return new PayTraceClient({
    baseUrl: sandbox.url,
    integratorId: INTEGRATOR_ID,
    username: CREDENTIALS.username,
    password: CREDENTIALS.password,
    zone: sandbox.zone,
    timeoutMs: 5_000,
    ...overrides,
  });
}

export async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

export function countPaths(sandbox: RunningPayTraceSandbox, path: string): number {
  return sandbox.requests().filter((r) => r.path === path).length;
}
