import { describe, expect, it } from 'vitest';
import { RECORDED, SCENARIOS, fingerprint } from './matching-fingerprint';

// The engine's decisions and explanations on fixed data sets must stay exactly
// as recorded: performance work may change how, never what.

describe('matching engine fingerprint', () => {
  it('covers every recorded scenario', () => {
    expect(SCENARIOS.map((s) => s.name).sort()).toEqual(Object.keys(RECORDED).sort());
  });

  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s: outcomes identical to the recording', (name, scenario) => {
    const got = fingerprint(scenario.run());
    expect(got).toEqual(RECORDED[name]);
  });
});
