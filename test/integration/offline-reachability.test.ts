import { createServer } from 'node:net';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoWorld } from '../../electron/sandboxes/demo/world';
import { collectPages } from '../../electron/core/erp/connector';
import { erpModule } from '../../electron/core/erp/registry';
import { erpSandbox, type RunningErpSandbox } from '../../electron/sandboxes/erp/registry';
import { PayTraceClient } from '../../electron/core/paytrace/client';
import { startPayTraceSandbox } from '../../electron/sandboxes/paytrace/sandbox';
import { classifyRemoteError, type RemoteProblem } from '../../electron/core/sync/remote-errors';

// Offline or failing, told apart from real conditions: a closed port, a host
// name that cannot resolve (.invalid is reserved), a sandbox refusing the
// credentials and a sandbox answering HTTP 500.

const world = buildDemoWorld({ seed: 3, now: new Date() });
let pt: Awaited<ReturnType<typeof startPayTraceSandbox>>;
let erp: RunningErpSandbox;
let closedPort = 0;
const zone = 'America/Los_Angeles';

async function problem(system: string, run: () => Promise<unknown>): Promise<RemoteProblem> {
  try {
    await run();
  } catch (e) {
    return classifyRemoteError(system, e);
  }
  throw new Error(`${system}: expected a failure`);
}

const today = new Date().toISOString().slice(0, 10);
const paytrace = (baseUrl: string, password = pt.credentials.password) =>
  new PayTraceClient({ baseUrl, integratorId: '', username: pt.credentials.username, password, zone, timeoutMs: 5_000 });
const exportToday = (c: PayTraceClient) => c.exportByDateRange({ startDate: today, endDate: today });
const p21 = (baseUrl: string, password = erp.credentials.password) =>
  erpModule('p21').createConnector({ baseUrl, options: erp.options, credentials: { username: erp.credentials.username, password }, timeoutMs: 5_000 });
const listCustomers = async (baseUrl: string, password?: string) => {
  const c = p21(baseUrl, password);
  try {
    return await collectPages(c.listCustomers());
  } finally {
    await c.close();
  }
};

beforeAll(async () => {
  pt = await startPayTraceSandbox({ world, credentials: { username: 'reach', password: 'reach-secret-1' } });
  erp = await erpSandbox('p21')({ customers: world.customers, invoices: world.invoices });
  closedPort = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
});

afterAll(async () => {
  await pt?.close();
  await erp?.close();
});

describe('remote reachability from real conditions', () => {
  it('a closed port is offline (connection refused) for PayTrace and the ERP', async () => {
    const a = await problem('PayTrace', () => exportToday(paytrace(`http://127.0.0.1:${closedPort}`)));
    expect(a).toMatchObject({ reachability: 'offline' });
    expect(a.message).toMatch(/ECONNREFUSED/);
    const b = await problem('ERP', () => listCustomers(`http://127.0.0.1:${closedPort}`));
    expect(b).toMatchObject({ reachability: 'offline' });
  });

  it('a host name that does not resolve is offline, and the message says DNS', async () => {
    const a = await problem('PayTrace', () => exportToday(paytrace('http://tieout-offline-test.invalid')));
    expect(a.reachability).toBe('offline');
    expect(a.message).toMatch(/DNS/);
    const b = await problem('ERP', () => listCustomers('http://tieout-offline-test.invalid'));
    expect(b.reachability).toBe('offline');
    expect(b.message).toMatch(/DNS/);
  });

  it('credentials refused (HTTP 401) is failing, not offline', async () => {
    const a = await problem('PayTrace', () => exportToday(paytrace(pt.url, 'wrong-password-0')));
    expect(a.reachability).toBe('failing');
    expect(a.message).toMatch(/credentials/);
    expect(a.message).not.toContain('wrong-password-0');
    const b = await problem('ERP', () => listCustomers(erp.baseUrl, 'wrong-password-0'));
    expect(b.reachability).toBe('failing');
    expect(b.message).toMatch(/credentials/);
    expect(b.message).not.toContain('wrong-password-0');
  });

  it('a server error (HTTP 500) is failing: the system is up but broken', async () => {
    await axios.post(`${pt.url}/__control/faults`, { rules: [{ fault: { kind: 'status', status: 500 }, pathPrefix: '/v1/' }] });
    await axios.post(`${erp.baseUrl}/__control/faults`, { rules: [{ fault: { kind: 'status', status: 500 } }] });
    try {
      const a = await problem('PayTrace', () => exportToday(paytrace(pt.url)));
      expect(a.reachability).toBe('failing');
      expect(a.message).toMatch(/500/);
      const b = await problem('ERP', () => listCustomers(erp.baseUrl));
      expect(b.reachability).toBe('failing');
      expect(b.message).toMatch(/500/);
    } finally {
      await axios.post(`${pt.url}/__control/faults`, { rules: [] });
      await axios.post(`${erp.baseUrl}/__control/faults`, { rules: [] });
    }
    // And once healthy again both answer.
    await expect(exportToday(paytrace(pt.url))).resolves.toBeTruthy();
    await expect(listCustomers(erp.baseUrl)).resolves.not.toHaveLength(0);
  });
});
