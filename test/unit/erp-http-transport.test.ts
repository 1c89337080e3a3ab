import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTransportError, sendHttp, transportToErpError } from '../../electron/core/erp/http-transport';

// The one ERP transport must still tell a request that never left from one
// whose reply was lost after sending: only the second leaves a write's outcome unknown.

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function failure(p: Promise<unknown>): Promise<HttpTransportError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HttpTransportError) return e;
    throw e;
  }
  throw new Error('expected a transport failure');
}

describe('sendHttp', () => {
  it('returns every status as a reply with lower-case headers', async () => {
    server = createServer((_req, res) => res.writeHead(503, { 'Retry-After': '4' }).end('busy'));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    const reply = await sendHttp({ method: 'GET', url, timeoutMs: 2000 });
    expect(reply).toMatchObject({ status: 503, text: 'busy' });
    expect(reply.headers['retry-after']).toBe('4');
  });

  it('a refused connection was not sent: transient even for a write', async () => {
    server = createServer();
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    const e = await failure(sendHttp({ method: 'POST', url: `http://127.0.0.1:${port}/post`, body: '{}', timeoutMs: 2000 }));
    expect(e.sent).toBe(false);
    expect(transportToErpError(e, 'Posting', true).kind).toBe('transient');
  });

  it('a reply lost after the whole request was sent leaves a write unknown', async () => {
    server = createServer((req) => req.resume()); // reads the request, never answers
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/post`;
    const e = await failure(sendHttp({ method: 'POST', url, body: '{"a":1}', timeoutMs: 300 }));
    expect(e).toMatchObject({ code: 'ETIMEDOUT', sent: true });
    expect(transportToErpError(e, 'Posting', true).kind).toBe('unknown_outcome');
    expect(transportToErpError(e, 'Reading', false).kind).toBe('transient');
    server.closeAllConnections();
  });
});
