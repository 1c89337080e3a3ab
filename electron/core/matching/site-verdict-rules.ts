import { verdictRulesOf, resolveMatchConfig } from '@shared/matching-config';
import type { PaymentVerdictRules } from '@shared/payment-verdict';
import type { ReadDb } from '../store/db';
import { loadSettings } from '../store/queries/settings';

/**
 * The site's rules for "was money received" (Settings → Matching rules), so
 * that approval, refunds and re-validation judge a payment exactly as the
 * matcher did: one rule, wherever a payment's state is judged.
 */
export function siteVerdictRules(db: ReadDb): PaymentVerdictRules {
  return verdictRulesOf(resolveMatchConfig(loadSettings(db).matching ?? {}));
}
