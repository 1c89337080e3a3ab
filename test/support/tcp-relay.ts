import { connect, createServer, type Server, type Socket } from 'node:net';

// A loopback TCP relay in front of a sandbox that a test can switch off
// (connection refused, like a dropped network) and on again, on the same port.

export type Relay = Readonly<{ url: string; stop(): Promise<void>; start(): Promise<void> }>;

export async function relay(target: string): Promise<Relay> {
  const to = new URL(target);
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connect(Number(to.port), to.hostname);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  await start();
  return {
    url: `${to.protocol}//127.0.0.1:${port}${to.pathname === '/' ? '' : to.pathname}`,
    start,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        sockets.clear();
        if (!server) return resolve();
        server.close(() => resolve());
        server = null;
      }),
  };
}
