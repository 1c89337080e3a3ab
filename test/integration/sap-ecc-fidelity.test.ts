import { afterEach, describe, expect, it } from 'vitest';
import { collectPages } from '../../electron/core/erp/connector';
import { ErpError } from '../../electron/core/erp/errors';
import { createSapEccConnector } from '../../electron/core/erp/sap-ecc/connector';
import { startSapEccSandbox, type SapEccSandbox } from '../../electron/sandboxes/erp/sap-ecc/sandbox';

// What real SAP systems do that the first sandbox did not (issue 13, docs/erp/sap-ecc.md):
// real HTTP against the SOAP-RFC sandbox on loopback.

const customers = [
  { customerId: '100042', name: 'Smith & Sons <Tools>' },
  { customerId: '100007', name: 'Birch Supply' },
  { customerId: '100300', name: 'Cedar & Co' },
  { customerId: '100011', name: 'Dune Logistics' },
  { customerId: '100105', name: 'Elm Works' },
];

describe('SAP ECC fidelity', () => {
  let sandbox: SapEccSandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });
  const connect = (s: SapEccSandbox, options: Record<string, string | number> = {}) =>
    createSapEccConnector({ baseUrl: s.baseUrl, options: { ...s.options, ...options }, credentials: s.credentials, timeoutMs: 3_000 });

  it('decodes the numeric references SAP writes for & in values (&#38;)', async () => {
    sandbox = await startSapEccSandbox({ customers, invoices: [] });
    const names = (await collectPages(connect(sandbox).listCustomers())).map((c) => c.name);
    expect(names).toContain('Smith & Sons <Tools>');
    expect(names).toContain('Cedar & Co');
  });

  it('pages customers that arrive in database order, whatever the page size, each once and in number order', async () => {
    sandbox = await startSapEccSandbox({ customers, invoices: [], customerOrder: 'unsorted' });
    for (const customerPageSize of [1, 2, 4, 200]) {
      const ids = (await collectPages(connect(sandbox, { customerPageSize }).listCustomers())).map((c) => c.customerId);
      expect(ids, `page size ${customerPageSize}`).toEqual(['100007', '100011', '100042', '100105', '100300']);
    }
  });

  it('a wrapper that exists but is not remote-enabled (REMOTE_CALL blank) fails the connection check and shows as CHECK in discovery', async () => {
    sandbox = await startSapEccSandbox({ customers, invoices: [], localOnlyFunctions: ['Z_TIEOUT_POST_INCOMING_PAYMENT'] });
    const c = connect(sandbox);
    const diagnosis = await c.testConnection();
    expect(diagnosis.ok).toBe(false);
    expect(diagnosis.summary).toContain('not remote-enabled');
    const facts = await c.discover!();
    expect(facts.find((f) => f.name === 'function Z_TIEOUT_POST_INCOMING_PAYMENT')).toMatchObject({ ok: false, setting: 'wrapperFunction' });
  });

  it('retries a 401 only after the user has signed on: a wrong password costs one logon, an expired one is re-sent once', async () => {
    sandbox = await startSapEccSandbox({ customers, invoices: [] });
    const bad = createSapEccConnector({ baseUrl: sandbox.baseUrl, options: sandbox.options, credentials: { username: 'RFC_TIEOUT', password: 'nope' }, timeoutMs: 3_000 });
    const e = await collectPages(bad.listCustomers()).catch((err: unknown) => err);
    expect(e instanceof ErpError && e.kind).toBe('auth');

    const good = connect(sandbox);
    expect(await collectPages(good.listCustomers())).toHaveLength(customers.length);
    sandbox.injectRealFailure('logon-expired');
    expect(await collectPages(good.listCustomers())).toHaveLength(customers.length);
  });
});
