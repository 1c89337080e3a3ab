// npm run chaos -- --seed N --receipts 500 --kills 20
import { parseArgs } from 'node:util';
import { runChaos } from '../test/chaos/run-chaos';

const { values } = parseArgs({ options: { seed: { type: 'string' }, receipts: { type: 'string' }, kills: { type: 'string' }, verbose: { type: 'boolean' } } });
const seed = Number(values.seed ?? 1);
void runChaos({
  seed,
  receipts: Number(values.receipts ?? 500),
  kills: Number(values.kills ?? 20),
  ...(values.verbose ? { log: (l: string) => console.log(l) } : {}),
}).then(
  (r) => {
    console.log(`seed ${seed}: receipts expected ${r.expected}, posted ${r.posted}, duplicates ${r.duplicates}, lost ${r.lost} (${r.killsDone} kills, ${r.seconds} s)`);
    process.exit(r.duplicates === 0 && r.lost === 0 ? 0 : 1);
  },
  (e: unknown) => {
    console.error(`chaos: ${(e as Error).message}`);
    process.exit(2);
  },
);
