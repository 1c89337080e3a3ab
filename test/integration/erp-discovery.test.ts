import { describe, expect, it } from 'vitest';
import { CONFORMANCE_TARGETS } from '../../electron/sandboxes/conformance/conformance-targets';
import { buildConformanceSeed } from '../../electron/sandboxes/conformance/conformance-seed';
import { formatDiscoveryLine } from '../../electron/cli/erp-check';

// `tieout erp check` asks each ERP what public evidence could not settle
// (docs/erp/<kind>.md): every connector answers against its sandbox, over the
// same wire the real system speaks, and the answer is printable.

const seed = buildConformanceSeed();

describe('ERP discovery (tieout erp check)', () => {
  for (const target of CONFORMANCE_TARGETS) {
    it(`${target.kind}: discovers what its settings depend on, read-only`, async () => {
      const harness = await target.start(seed);
      try {
        const connector = harness.connector();
        expect(connector.discover, `${target.kind} connector implements discover()`).toBeTypeOf('function');
        const facts = await connector.discover!();
        expect(facts.length).toBeGreaterThan(0);
        for (const f of facts) {
          expect(f.name.trim().length, JSON.stringify(f)).toBeGreaterThan(0);
          expect(f.value.trim().length, JSON.stringify(f)).toBeGreaterThan(0);
          expect(formatDiscoveryLine(f)).toMatch(/^(FOUND|CHECK) {2}\S/);
        }
        // Discovery only reads: the sandbox holds no receipt afterwards.
        expect(await harness.countReceipts('WARMUP-0')).toBe(0);
      } finally {
        await harness.close();
      }
    });
  }
});
