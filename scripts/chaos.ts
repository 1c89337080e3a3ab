// npm run chaos -- --seed N --receipts 500 --kills 20
// npm run chaos -- --team --seed N --receipts 300 --kills 20   (three workstations on one PostgreSQL workspace; --kills per workstation)
import { parseArgs } from 'node:util';
import { runChaos } from '../test/chaos/run-chaos';
import { runTeamChaos } from '../test/chaos/run-team-chaos';

const { values } = parseArgs({
  options: { seed: { type: 'string' }, receipts: { type: 'string' }, kills: { type: 'string' }, team: { type: 'boolean' }, verbose: { type: 'boolean' } },
});
const seed = Number(values.seed ?? 1);
const log = values.verbose ? { log: (l: string) => console.log(l) } : {};

function finish(ok: boolean): never {
  process.exit(ok ? 0 : 1);
}

function fail(e: unknown): never {
  console.error(`chaos: ${(e as Error).message}`);
  process.exit(2);
}

if (values.team) {
  // Processes live up to 3 s once they post (under the fault plan a receipt takes a few reads and sends), so most receipts go out under the chaos.
  void runTeamChaos({ seed, receipts: Number(values.receipts ?? 300), killsPerStation: Number(values.kills ?? 20), killWindowMs: [500, 3000], ...log }).then((r) => {
    console.log(
      `seed ${seed}: receipts expected ${r.expected}, posted ${r.posted}, duplicates ${r.duplicates}, lost ${r.lost}, ERP postings committed ${r.erpCommitted}` +
        ` (3 workstations posted ${r.postedBy.join(' / ')}, ${r.postedAfterChaos} after the chaos; ${r.retried} met faults first, ${r.foundByLookUp} found by look-up before retry;` +
        ` ${r.killsDone} kills, ${r.cleanExits} clean exits, ${r.seconds} s)`,
    );
    finish(r.duplicates === 0 && r.lost === 0 && r.erpCommitted === r.expected);
  }, fail);
} else {
  void runChaos({ seed, receipts: Number(values.receipts ?? 500), kills: Number(values.kills ?? 20), ...log }).then((r) => {
    console.log(`seed ${seed}: receipts expected ${r.expected}, posted ${r.posted}, duplicates ${r.duplicates}, lost ${r.lost} (${r.killsDone} kills, ${r.seconds} s)`);
    finish(r.duplicates === 0 && r.lost === 0);
  }, fail);
}
