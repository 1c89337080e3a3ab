import { z } from 'zod';
import { matchConfigOverrideSchema, type MatchConfig, type MatchConfigOverride } from '../matching-config';
import { empty, method } from './define';

// The matching rules as settings of the app (Settings → Matching rules): what
// differs from the defaults, stored with the other settings (Settings.matching).
// The CLI's `tieout match --config rules.json` takes the same shape.

export type MatchingRulesView = Readonly<{
  /** What is stored: only the rules that differ from the defaults. */
  rules: MatchConfigOverride;
  /** The built-in defaults (DEFAULT_MATCH_CONFIG), shown next to each field. */
  defaults: MatchConfig;
  /** What the matcher uses: the defaults with the rules applied. */
  effective: MatchConfig;
}>;

export type MatchingRulesSaved = MatchingRulesView &
  Readonly<{
    /**
     * The full re-match the change started: undecided transactions, how many were
     * matched again, and how many of them now have another status, exception or allocation.
     */
    rematch: Readonly<{ pending: number; rematched: number; changed: number }>;
  }>;

export const setMatchingRulesArgs = z.object({ rules: matchConfigOverrideSchema }).strict();

/** Roles: the rules decide what posts to the ERP without review, so like the other policies they are admin configuration; anyone may read them. */
export const matchingMethods = {
  'matching:rules': method<typeof empty, MatchingRulesView>({ role: 'clerk', args: empty }),
  /** Replaces the stored rules (send {} for the defaults); re-matches every undecided transaction. */
  'matching:setRules': method<typeof setMatchingRulesArgs, MatchingRulesSaved>({ role: 'admin', args: setMatchingRulesArgs }),
} as const;
