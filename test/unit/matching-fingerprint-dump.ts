import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCENARIOS, fingerprint } from './matching-fingerprint';

// npx tsx test/unit/matching-fingerprint-dump.ts <dir>
// Writes each scenario's outcomes as JSON lines into <dir> (for diffing two
// engine versions) and prints the fingerprints to paste into RECORDED.

const dir = process.argv[2] ?? '/tmp/matching-fingerprint';
const prints: Record<string, unknown> = {};
for (const s of SCENARIOS) {
  const outcomes = s.run();
  writeFileSync(join(dir, `${s.name.replace(/[^a-z0-9]+/gi, '-')}.jsonl`), outcomes.map((o) => JSON.stringify(o)).join('\n') + '\n');
  prints[s.name] = fingerprint(outcomes);
}
process.stdout.write(`${JSON.stringify(prints, null, 2)}\n`);
