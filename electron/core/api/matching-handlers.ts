import { ApiFailure } from '@shared/api-contract';
import type { MatchingRulesSaved, MatchingRulesView, matchingMethods } from '@shared/api/matching';
import { DEFAULT_MATCH_CONFIG, MatchConfigError, resolveMatchConfig, type MatchConfigOverride } from '@shared/matching-config';
import { appendAudit } from '../audit/audit-log';
import { undecidedMatchSignatures } from '../store/queries/matches';
import type { DomainHandlers } from './dispatch';
import type { HandlerDeps } from './handlers';

// Settings → Matching rules. The arguments were validated by the contract
// (matchConfigOverrideSchema: unknown keys and out-of-range values are refused
// naming the field); the rules as a whole are checked again here (dateFarDays ≥
// dateNearDays). Saving replaces the stored rules, resets the matcher and the
// match runner, and re-matches every undecided transaction (engine.ts).

/** PayTrace texts are compared spaces collapsed and upper-cased (payment-verdict.ts canonicalText): stored that way, without repeats. */
function canonicalLists(rules: MatchConfigOverride): MatchConfigOverride {
  const out: MatchConfigOverride = { ...rules };
  for (const key of ['saleTypes', 'approvalTexts', 'achReceivedStatuses'] as const) {
    const list = rules[key];
    if (list) out[key] = [...new Set(list.map((v) => v.trim().replace(/\s+/g, ' ').toUpperCase()).filter((v) => v !== ''))];
  }
  return out;
}

export function matchingHandlers(d: HandlerDeps): DomainHandlers<keyof typeof matchingMethods> {
  const view = (rules: MatchConfigOverride): MatchingRulesView => ({ rules, defaults: DEFAULT_MATCH_CONFIG, effective: resolveMatchConfig(rules) });

  return {
    'matching:rules': () => view(d.settings().matching),

    'matching:setRules': async (args, ctx): Promise<MatchingRulesSaved> => {
      const rules = canonicalLists(args.rules);
      try {
        resolveMatchConfig(rules);
      } catch (e) {
        if (e instanceof MatchConfigError) throw new ApiFailure('invalid_args', `Matching rules not valid: ${e.issues.join('; ')}`);
        throw e;
      }
      const rulesBefore = d.settings().matching;
      // Stored (and audited) first: the re-match below reads the new rules.
      d.setMatchingRules(rules);
      appendAudit(d.db, { actor: d.actor(ctx), action: 'settings.matching', objectType: 'settings', objectId: 'matching', before: rulesBefore, after: rules });
      const before = undecidedMatchSignatures(d.db);
      const result = await d.rematchAll();
      let changed = 0;
      for (const [id, now] of undecidedMatchSignatures(d.db)) if (before.get(id) !== now) changed += 1;
      return { ...view(d.settings().matching), rematch: { pending: result.pending, rematched: result.rematched, changed } };
    },
  };
}
