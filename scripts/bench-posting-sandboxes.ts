import { runDemoSandboxes } from '../electron/sandboxes/demo/demo-sandboxes';

// The posting bench's PayTrace and P21 sandboxes in a process of their own, as
// the real services run on other machines: their CPU no longer shares the
// engine's event loop. Prints the descriptor as one JSON line; closes when
// stdin ends. `node --import tsx scripts/bench-posting-sandboxes.ts <seed> <payments>`

void (async () => {
  const demo = await runDemoSandboxes({ erpKind: 'p21', seed: Number(process.argv[2] ?? 99), payments: Number(process.argv[3] ?? 1000) });
  process.stdout.write(`${JSON.stringify(demo.descriptor)}\n`);
  process.stdin.on('end', () => void demo.close().finally(() => process.exit(0)));
  process.stdin.resume();
})();
