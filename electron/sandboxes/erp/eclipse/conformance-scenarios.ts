import assert from 'node:assert/strict';
import { collectPages } from '../../../core/erp/connector';
import type { ConformanceScenario } from '../../conformance/conformance-runner';
import { fullPaymentReceipt } from '../../conformance/conformance-receipts';

// Eclipse-only scenarios: its session timeout is HTTP 419, answered by
// refreshing the session (POST /Sessions/refresh {refreshToken}); a refresh
// that fails signs in again. A write answered 419 is looked up before it is
// sent again (docs/erp/eclipse.md: whether Eclipse did the work is unconfirmed).


export const ECLIPSE_KIND_SCENARIOS: readonly ConformanceScenario[] = [
  {
    id: 'eclipse-419-write',
    title: 'a receipt POST answered 419 (session timeout): the session is refreshed, the receipt looked up, then sent once',
    async run(h, seed) {
      const c = h.connector();
      assert.equal(await c.findReceipt('WARMUP-0'), null);
      const request = fullPaymentReceipt(seed, '419000001', { offset: 0 });
      await h.injectFault({ fault: { kind: 'status', status: 419 }, method: 'POST', times: 1 });
      const posted = await c.postReceipt(request);
      assert.equal(posted.reference, request.reference);
      assert.equal(await h.countReceipts(request.reference), 1, 'one receipt after a 419 on the write');
    },
  },
  {
    id: 'eclipse-419-refresh-refused',
    title: 'a 419 whose refresh is refused signs in again; reads and the receipt go through once',
    async run(h, seed) {
      const c = h.connector();
      assert.equal(await c.findReceipt('WARMUP-0'), null);
      await h.injectFault({ fault: { kind: 'status', status: 401 }, method: 'POST', pathPrefix: '/Sessions/refresh', times: 2 });
      await h.injectRealFailure('session-timeout');
      assert.equal((await collectPages(c.listCustomers())).length, seed.customers.length, 'customers after a timeout with the refresh refused');
      await h.injectRealFailure('session-timeout');
      const request = fullPaymentReceipt(seed, '419000002', { offset: 1 });
      await c.postReceipt(request);
      assert.equal(await h.countReceipts(request.reference), 1, 'one receipt across a timeout with the refresh refused');
    },
  },
];
