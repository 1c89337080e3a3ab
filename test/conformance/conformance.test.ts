import { describe, it } from 'vitest';
import { runScenario, scenariosFor } from '../../electron/sandboxes/conformance/conformance-runner';
import { buildConformanceSeed } from '../../electron/sandboxes/conformance/conformance-seed';
import { CONFORMANCE_TARGETS } from '../../electron/sandboxes/conformance/conformance-targets';

const seed = buildConformanceSeed();
// CONFORMANCE_TARGET=p21,sage100 runs only those kinds (each target's run is independent).
const only = (process.env.CONFORMANCE_TARGET ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const targets = only.length > 0 ? CONFORMANCE_TARGETS.filter((t) => only.includes(t.kind)) : CONFORMANCE_TARGETS;

for (const target of targets) {
  describe(`ERP conformance: ${target.kind}`, () => {
    for (const scenario of scenariosFor(target)) {
      it(`${scenario.id}: ${scenario.title}`, async (ctx) => {
        const result = await runScenario(target, scenario, seed);
        if (result.status === 'skip') ctx.skip(result.detail);
        if (result.status === 'fail') throw new Error(result.detail);
      });
    }
  });
}
