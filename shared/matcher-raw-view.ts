import { ACH_STATUS_FIELDS } from './payment-verdict';
import { ORIGINAL_ID_FIELDS } from './refund-links';

// The matcher reads a few fields of the raw export row beyond the normalised
// ones: the check's status (payment-verdict.ts) and an original id a refund
// may name (refund-links.ts). A batch job that keeps no raw rows (tieout match
// on 100k payments) keeps just these, so the parsed export can be collected.

export function matcherRawView(raw: unknown): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return view;
  const row = raw as Record<string, unknown>;
  for (const path of ACH_STATUS_FIELDS) {
    if (path.length === 1) {
      if (row[path[0]!] !== undefined) view[path[0]!] = row[path[0]!];
      continue;
    }
    const parent = row[path[0]!];
    if (parent === null || typeof parent !== 'object' || Array.isArray(parent)) continue;
    const v = (parent as Record<string, unknown>)[path[1]!];
    if (v === undefined) continue;
    const into = (view[path[0]!] ??= {}) as Record<string, unknown>;
    into[path[1]!] = v;
  }
  for (const field of ORIGINAL_ID_FIELDS) if (row[field] !== undefined) view[field] = row[field];
  return view;
}
