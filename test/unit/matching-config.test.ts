import { describe, expect, it } from 'vitest';
import { DEFAULT_MATCH_CONFIG, MatchConfigError, matchConfigSchema, parseMatchConfig, resolveMatchConfig } from '../../electron/core/matching/config';
import { createMatcher } from '../../electron/core/matching/engine';

describe('match config', () => {
  it('defaults are valid and conservative', () => {
    expect(matchConfigSchema.parse(DEFAULT_MATCH_CONFIG)).toEqual(DEFAULT_MATCH_CONFIG);
    expect(DEFAULT_MATCH_CONFIG.autoWithoutReference).toBe(false);
    // An exact amount alone (plus customer and date) never reaches the automatic threshold.
    const p = DEFAULT_MATCH_CONFIG.points;
    expect(p.amountExact + p.customerId + p.dateNear).toBeLessThan(DEFAULT_MATCH_CONFIG.autoMinPoints);
  });

  it('merges a partial rules.json, including partial points', () => {
    const c = parseMatchConfig({ surchargeMaxPercent: 3, points: { referenceTypo: 1 } });
    expect(c.surchargeMaxPercent).toBe(3);
    expect(c.points.referenceTypo).toBe(1);
    expect(c.points.referenceExact).toBe(DEFAULT_MATCH_CONFIG.points.referenceExact);
  });

  it('names every offending field and the source file', () => {
    expect(() => parseMatchConfig({ autoMinPoints: 'high', points: { amountExact: 'x' } }, 'rules.json')).toThrow(MatchConfigError);
    let msg = '';
    try {
      parseMatchConfig({ autoMinPoints: 'high', points: { amountExact: 'x' }, bogus: 1 }, 'site/rules.json');
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain('site/rules.json');
    expect(msg).toContain('autoMinPoints');
    expect(msg).toContain('points.amountExact');
    expect(msg).toContain('bogus');
    expect(() => resolveMatchConfig({ dateNearDays: 30, dateFarDays: 10 })).toThrow(/dateFarDays/);
    expect(() => createMatcher({ surchargeMaxPercent: -1 })).toThrow(/surchargeMaxPercent/);
  });
});
