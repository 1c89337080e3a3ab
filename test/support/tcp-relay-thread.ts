import { Worker } from 'node:worker_threads';
import type { Relay } from './tcp-relay';

// tcp-relay.ts in a worker thread of its own: in front of a workspace
// database, the engine's thread blocks on each statement (the synchronous pg
// bridge, store/pg/sync-client.ts), so a relay on that thread's event loop
// would never forward the bytes it waits for.

const CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { connect, createServer } = require('node:net');
const sockets = new Set();
let server = null;
let port = 0;
function start() {
  return new Promise((resolve, reject) => {
    server = createServer((client) => {
      const upstream = connect(workerData.port, workerData.host);
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { port = server.address().port; resolve(); });
  });
}
function stop() {
  return new Promise((resolve) => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    if (!server) return resolve();
    server.close(() => resolve());
    server = null;
  });
}
parentPort.on('message', async (m) => {
  try {
    if (m === 'start') await start();
    if (m === 'stop') await stop();
    parentPort.postMessage({ ok: true, port });
  } catch (e) {
    parentPort.postMessage({ ok: false, message: String(e && e.message) });
  }
});
`;

export async function relayThread(target: string): Promise<Relay & { close(): Promise<void> }> {
  const to = new URL(target);
  const worker = new Worker(CODE, { eval: true, workerData: { host: to.hostname, port: Number(to.port) } });
  const send = (m: 'start' | 'stop') =>
    new Promise<number>((resolve, reject) => {
      worker.once('message', (r: { ok: boolean; port: number; message?: string }) => (r.ok ? resolve(r.port) : reject(new Error(r.message))));
      worker.postMessage(m);
    });
  const port = await send('start');
  return {
    url: `${to.protocol}//127.0.0.1:${port}${to.pathname === '/' ? '' : to.pathname}`,
    start: async () => void (await send('start')),
    stop: async () => void (await send('stop')),
    close: async () => {
      await send('stop');
      await worker.terminate();
    },
  };
}
