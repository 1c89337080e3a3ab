import { useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { setApiQueryData, useApiMutation, useApiQuery } from '../../api/query';
import { SubmitButton } from '../../ui/form';
import { toast } from '../../state/toast-store';
import { useUser } from '../auth/session-store';
import { changedKeys, draftFrom, percentOfBasisPoints, rulesFrom, type CustomerTermsDraft, type RulesDraft } from './rules-form';
import '../admin/admin.css';
import '../erp-settings/erp-settings.css';
import './matching-rules.css';

// Settings → Matching rules: the rules of docs/matching.md a site is most likely
// to change, as settings of the app (Settings.matching). Anyone signed in may
// read them; an admin saves them (matching:setRules), which re-matches every
// undecided transaction at once. The other rules (points, thresholds) stay in
// rules.json for the CLI and are kept as stored.

const SHORT_PAY_LABELS = { auto: 'Automatic (within the limit)', suggested: 'Suggested for review', off: 'Off: an exception' } as const;
const PARTIAL_REFUND_LABELS = { net: 'One net receipt', receipt_and_credit_memo: 'Full receipt + credit memo' } as const;

function Rule({ id, label, hint, fallback, changed, children }: Readonly<{ id: string; label: string; hint: string; fallback: string; changed: boolean; children: ReactNode }>) {
  return (
    <div className="field rules-field" data-testid={`rules-field-${id}`} data-changed={changed}>
      <label htmlFor={`rules-${id}`}>
        {label}
        {changed ? <span className="rules-changed" title="Differs from the default">changed</span> : null}
      </label>
      {children}
      <span className="field-hint">
        {hint} <span className="rules-default">Default: {fallback}.</span>
      </span>
    </div>
  );
}

function TermsInputs({ prefix, value, onChange, disabled }: Readonly<{ prefix: string; value: CustomerTermsDraft | RulesDraft['defaultTerms']; onChange: (v: Partial<CustomerTermsDraft>) => void; disabled: boolean }>) {
  return (
    <>
      <input id={`${prefix}-percent`} data-testid={`${prefix}-percent`} aria-label="Discount %" inputMode="decimal" value={value.percent} disabled={disabled} onChange={(e) => onChange({ percent: e.target.value })} />
      <input id={`${prefix}-discountDays`} data-testid={`${prefix}-discountDays`} aria-label="Discount days" inputMode="numeric" value={value.discountDays} disabled={disabled} onChange={(e) => onChange({ discountDays: e.target.value })} />
      <input id={`${prefix}-netDays`} data-testid={`${prefix}-netDays`} aria-label="Net days" inputMode="numeric" value={value.netDays} disabled={disabled} onChange={(e) => onChange({ netDays: e.target.value })} />
    </>
  );
}

export function MatchingRulesTab() {
  const user = useUser();
  const isAdmin = user?.role === 'admin';
  const client = useQueryClient();
  const rules = useApiQuery('matching:rules', {}, { refetchOnMount: 'always' });
  const saveRules = useApiMutation('matching:setRules');
  const [edits, setEdits] = useState<RulesDraft | null>(null);
  const [invalid, setInvalid] = useState<readonly string[]>([]);
  const busy = saveRules.isPending;
  const errors = saveRules.error ? [errorMessage(saveRules.error)] : invalid;

  if (rules.error) return <p className="error-text pad">{errorMessage(rules.error)}</p>;
  const view = rules.data;
  if (!view) return <p className="muted pad">Loading matching rules…</p>;
  const saved = draftFrom(view.effective);
  const draft = edits ?? saved;

  const d0 = view.defaults;
  const changed = changedKeys(view.rules);
  const set = (patch: Partial<RulesDraft>) => setEdits({ ...draft, ...patch });
  const setCustomer = (i: number, patch: Partial<CustomerTermsDraft>) => set({ customerTerms: draft.customerTerms.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved);
  const off = !isAdmin || busy;

  const save = async () => {
    const checked = rulesFrom(draft, view.defaults, view.rules);
    if (!checked.ok) {
      saveRules.reset();
      setInvalid(checked.errors);
      return;
    }
    setInvalid([]);
    try {
      const r = await saveRules.mutateAsync({ rules: checked.rules });
      setApiQueryData(client, 'matching:rules', {}, r);
      setEdits(null);
      const { rematched, changed: outcomes } = r.rematch;
      toast('success', `Matching rules saved: ${rematched} ${rematched === 1 ? 'row' : 'rows'} re-matched`, [
        outcomes === 0 ? 'No match changed.' : `${outcomes} ${outcomes === 1 ? 'match' : 'matches'} changed (decided rows are never re-matched).`,
      ]);
    } catch {
      // Shown in the error list from the mutation's error.
    }
  };

  const defaultTerms = d0.defaultTerms ? `${percentOfBasisPoints(d0.defaultTerms.discountBasisPoints)}% ${d0.defaultTerms.discountDays}, net ${d0.defaultTerms.netDays}` : 'none';

  return (
    <div className="admin-tab rules-tab" data-testid="matching-rules">
      <p className="muted small rules-intro">
        How Tieout decides what is automatic, suggested or an exception (docs/matching.md). Saving re-matches every undecided row at once; approved and posted rows keep their
        decision. The same rules can be given to the CLI as <code>rules.json</code>.
        {!isAdmin ? (
          <strong className="rules-readonly" data-testid="rules-readonly">
            {' '}
            Only an admin can change them{user ? ` (you are signed in as ${user.userName}, ${user.role})` : ''}.
          </strong>
        ) : null}
      </p>

      <section className="settings-section">
        <header className="settings-head">
          <h3>Cash application</h3>
        </header>
        <div className="rules-grid">
          <Rule id="shortPay" label="Short pays" hint="A payment below the balance of the one invoice it names, from that invoice's customer." fallback={SHORT_PAY_LABELS[d0.shortPay]} changed={changed.has('shortPay')}>
            <select id="rules-shortPay" data-testid="rules-shortPay" value={draft.shortPay} disabled={off} onChange={(e) => set({ shortPay: e.target.value as RulesDraft['shortPay'] })}>
              {(Object.keys(SHORT_PAY_LABELS) as Array<keyof typeof SHORT_PAY_LABELS>).map((k) => (
                <option key={k} value={k}>
                  {SHORT_PAY_LABELS[k]}
                </option>
              ))}
            </select>
          </Rule>
          <Rule id="shortPayAutoMaxPercent" label="Automatic short pay up to (%)" hint="A larger shortfall, as a share of the balance, is only suggested." fallback={`${d0.shortPayAutoMaxPercent}%`} changed={changed.has('shortPayAutoMaxPercent')}>
            <input id="rules-shortPayAutoMaxPercent" data-testid="rules-shortPayAutoMaxPercent" inputMode="decimal" value={draft.shortPayAutoMaxPercent} disabled={off || draft.shortPay !== 'auto'} onChange={(e) => set({ shortPayAutoMaxPercent: e.target.value })} />
          </Rule>
          <Rule id="partialRefundPosting" label="Partly refunded sales" hint="Proposed as what PayTrace kept, or as the full receipt with the refund as an ERP credit memo." fallback={PARTIAL_REFUND_LABELS[d0.partialRefundPosting]} changed={changed.has('partialRefundPosting')}>
            <select id="rules-partialRefundPosting" data-testid="rules-partialRefundPosting" value={draft.partialRefundPosting} disabled={off} onChange={(e) => set({ partialRefundPosting: e.target.value as RulesDraft['partialRefundPosting'] })}>
              {(Object.keys(PARTIAL_REFUND_LABELS) as Array<keyof typeof PARTIAL_REFUND_LABELS>).map((k) => (
                <option key={k} value={k}>
                  {PARTIAL_REFUND_LABELS[k]}
                </option>
              ))}
            </select>
          </Rule>
          <Rule id="autoWithoutReference" label="No reference" hint="Customer by id or a learned mapping, one invoice, exact and unique amount." fallback={d0.autoWithoutReference ? 'automatic' : 'suggested only'} changed={changed.has('autoWithoutReference')}>
            <label className="checkbox">
              <input id="rules-autoWithoutReference" type="checkbox" data-testid="rules-autoWithoutReference" checked={draft.autoWithoutReference} disabled={off} onChange={(e) => set({ autoWithoutReference: e.target.checked })} />
              Allow automatic matches without a reference
            </label>
          </Rule>
        </div>
      </section>

      <section className="settings-section">
        <header className="settings-head">
          <h3>Early-payment discounts</h3>
        </header>
        <div className="rules-grid">
          <Rule id="autoDiscount" label="Discounts within terms" hint="Otherwise they are suggested for review." fallback={d0.autoDiscount ? 'automatic' : 'suggested'} changed={changed.has('autoDiscount')}>
            <label className="checkbox">
              <input id="rules-autoDiscount" type="checkbox" data-testid="rules-autoDiscount" checked={draft.autoDiscount} disabled={off} onChange={(e) => set({ autoDiscount: e.target.checked })} />
              Apply automatically
            </label>
          </Rule>
          <Rule id="discountGraceDays" label="Grace days" hint="Days after the discount period still accepted (mail and bank float)." fallback={String(d0.discountGraceDays)} changed={changed.has('discountGraceDays')}>
            <input id="rules-discountGraceDays" data-testid="rules-discountGraceDays" inputMode="numeric" value={draft.discountGraceDays} disabled={off} onChange={(e) => set({ discountGraceDays: e.target.value })} />
          </Rule>
          <Rule id="defaultTerms" label="Default terms (% · discount days · net days)" hint="When the ERP gives an invoice no terms, e.g. 2% 10, net 30." fallback={defaultTerms} changed={changed.has('defaultTerms')}>
            <div className="rules-terms">
              <label className="checkbox">
                <input id="rules-defaultTerms" type="checkbox" data-testid="rules-defaultTerms" checked={draft.defaultTermsOn} disabled={off} onChange={(e) => set({ defaultTermsOn: e.target.checked })} />
                Use
              </label>
              <TermsInputs prefix="rules-defaultTerms" value={draft.defaultTerms} disabled={off || !draft.defaultTermsOn} onChange={(p) => set({ defaultTerms: { ...draft.defaultTerms, ...p } })} />
            </div>
          </Rule>
        </div>
        <div className="field rules-customers" data-testid="rules-customerTerms">
          <span className="rules-subhead">
            Per-customer terms {changed.has('customerTerms') ? <span className="rules-changed">changed</span> : null}
          </span>
          <span className="field-hint">Override the ERP's terms and the default for one ERP customer id. Default: none.</span>
          {draft.customerTerms.length > 0 ? (
            <table className="admin-table rules-customer-table">
              <thead>
                <tr>
                  <th>Customer id</th>
                  <th>Discount %</th>
                  <th>Discount days</th>
                  <th>Net days</th>
                  <th aria-label="Remove" />
                </tr>
              </thead>
              <tbody>
                {draft.customerTerms.map((row, i) => (
                  <tr key={i} data-testid="rules-customerTerms-row">
                    <td>
                      <input data-testid="rules-customerTerms-customer" aria-label={`Customer id, row ${i + 1}`} value={row.customer} disabled={off} spellCheck={false} onChange={(e) => setCustomer(i, { customer: e.target.value })} />
                    </td>
                    <TermsCells i={i} row={row} disabled={off} onChange={(p) => setCustomer(i, p)} />
                    <td>
                      <button type="button" className="btn btn-ghost btn-sm" data-testid="rules-customerTerms-remove" disabled={off} onClick={() => set({ customerTerms: draft.customerTerms.filter((_, j) => j !== i) })}>
                        Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <div>
            <button type="button" className="btn btn-secondary btn-sm" data-testid="rules-customerTerms-add" disabled={off} onClick={() => set({ customerTerms: [...draft.customerTerms, { customer: '', percent: '2', discountDays: '10', netDays: '30' }] })}>
              Add customer terms
            </button>
          </div>
        </div>
      </section>

      <section className="settings-section">
        <header className="settings-head">
          <h3>What counts as money received</h3>
        </header>
        <div className="rules-grid rules-grid-wide">
          <Rule id="saleTypes" label="Transaction types that are receipts" hint="Comma-separated. Anything else (AUTHORIZATION, STR/FWD…) is not a receipt." fallback={d0.saleTypes.join(', ')} changed={changed.has('saleTypes')}>
            <input id="rules-saleTypes" data-testid="rules-saleTypes" value={draft.saleTypes} disabled={off} spellCheck={false} onChange={(e) => set({ saleTypes: e.target.value })} />
          </Rule>
          <Rule id="approvalTexts" label="Approval texts that count as approved" hint="Comma-separated endings of a card payment's approval message; an unfamiliar text is never money." fallback={d0.approvalTexts.join(', ')} changed={changed.has('approvalTexts')}>
            <input id="rules-approvalTexts" data-testid="rules-approvalTexts" value={draft.approvalTexts} disabled={off} spellCheck={false} onChange={(e) => set({ approvalTexts: e.target.value })} />
          </Rule>
          <Rule id="achReceivedStatuses" label="ACH statuses that count as received" hint="Comma-separated check statuses; any other (Pending, Returned…) is not money yet." fallback={d0.achReceivedStatuses.join(', ')} changed={changed.has('achReceivedStatuses')}>
            <input id="rules-achReceivedStatuses" data-testid="rules-achReceivedStatuses" value={draft.achReceivedStatuses} disabled={off} spellCheck={false} onChange={(e) => set({ achReceivedStatuses: e.target.value })} />
          </Rule>
        </div>
        <details className="rules-unconfirmed" data-testid="rules-ach-unconfirmed">
          <summary>
            <span className="unconfirmed-badge">unconfirmed field</span> What docs/paytrace.md says about the ACH status
          </summary>
          <p className="small">
            PayTrace publishes no sample of a check/ACH export row, so where the check's status stands and its values are unconfirmed (docs/paytrace.md, “Unconfirmed facts and
            the setting that covers each”). Tieout reads it from <code>check.status</code>, <code>check.ach_status</code>, <code>check.status_message</code>,{' '}
            <code>ach_status</code> or <code>check_status</code>, and counts the payment as received only for the statuses listed here; the demo sandbox sends “Processed”, “Settled”
            and “Rejected”. Check the values your PayTrace account sends before adding one.
          </p>
        </details>
      </section>

      {errors.length > 0 ? (
        <ul className="admin-errors" data-testid="rules-errors" role="alert">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      ) : null}
      <div className="admin-inline rules-actions">
        <span className="muted small" data-testid="rules-state">
          {dirty ? 'Unsaved rule changes' : changed.size > 0 ? `${changed.size} ${changed.size === 1 ? 'rule differs' : 'rules differ'} from the defaults` : 'All rules at their defaults'}
        </span>
        <span className="spacer" />
        <button type="button" className="btn btn-ghost btn-sm" data-testid="rules-revert" disabled={!dirty || busy} onClick={() => { setEdits(null); setInvalid([]); saveRules.reset(); }}>
          Revert
        </button>
        <button type="button" className="btn btn-ghost btn-sm" data-testid="rules-defaults" disabled={off} onClick={() => set(draftFrom(view.defaults))}>
          Use defaults
        </button>
        <SubmitButton type="button" testId="rules-save" busy={busy} busyLabel="Saving and re-matching…" disabled={!isAdmin || !dirty} onClick={() => void save()}>
          Save rules
        </SubmitButton>
      </div>
    </div>
  );
}

function TermsCells({ i, row, disabled, onChange }: Readonly<{ i: number; row: CustomerTermsDraft; disabled: boolean; onChange: (p: Partial<CustomerTermsDraft>) => void }>) {
  return (
    <>
      <td>
        <input data-testid="rules-customerTerms-percent" aria-label={`Discount %, row ${i + 1}`} inputMode="decimal" value={row.percent} disabled={disabled} onChange={(e) => onChange({ percent: e.target.value })} />
      </td>
      <td>
        <input data-testid="rules-customerTerms-discountDays" aria-label={`Discount days, row ${i + 1}`} inputMode="numeric" value={row.discountDays} disabled={disabled} onChange={(e) => onChange({ discountDays: e.target.value })} />
      </td>
      <td>
        <input data-testid="rules-customerTerms-netDays" aria-label={`Net days, row ${i + 1}`} inputMode="numeric" value={row.netDays} disabled={disabled} onChange={(e) => onChange({ netDays: e.target.value })} />
      </td>
    </>
  );
}
