import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { erpMappingSchema, type ErpMapping, type GlRule } from '@shared/erp-mapping';
import { errorMessage } from '../../api/client';
import { setApiQueryData, useApiMutation, useApiQuery } from '../../api/query';
import { formatDateTimeInZone } from '../../format';
import { useData } from '../../state/data-store';
import { toast } from '../../state/toast-store';
import { useUi } from '../../state/ui-store';
import { hasRole, useUser } from '../auth/session-store';
import { settingsErrorMessage } from './erp-kinds';
import './erp-settings.css';

const BRANDS = ['VISA', 'MASTERCARD', 'AMEX', 'DISCOVER', 'OTHER'] as const;
const BRAND_LABELS: Record<(typeof BRANDS)[number], string> = { VISA: 'Visa', MASTERCARD: 'Mastercard', AMEX: 'Amex', DISCOVER: 'Discover', OTHER: 'Other cards' };

function F({ label, hint, children }: Readonly<{ label: string; hint?: string; children: ReactNode }>) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      {children}
      {hint ? <span className="field-hint">{hint}</span> : null}
    </label>
  );
}

function Text({ value, onChange, testId, max = 20, placeholder, invalid }: Readonly<{ value: string; onChange: (v: string) => void; testId: string; max?: number; placeholder?: string; invalid?: boolean }>) {
  return <input className="mono" data-testid={testId} value={value} maxLength={max} placeholder={placeholder} spellCheck={false} aria-invalid={invalid || undefined} onChange={(e) => onChange(e.target.value)} />;
}

/** Key order does not make a mapping different (the engine may answer with another order than the editor builds). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

const FIELD_LABELS: Record<string, string> = {
  'paymentTypes.card': 'Card payment type',
  'paymentTypes.ach': 'ACH payment type',
  'statusMap.settled': 'Settled status',
  'statusMap.unsettled': 'Not yet settled status',
  defaultGlAccount: 'Default GL account',
  discountGlAccount: 'Discount GL account',
  bankCode: 'Bank code',
  depositPrefix: 'Deposit prefix',
  companyCode: 'Company code',
  division: 'Division',
  currency: 'Currency',
  decimals: 'Decimals',
};

/** A validation issue in the words of the form ("GL rule 2: GL account …"), not the schema's path. */
function issueText(path: readonly PropertyKey[], message: string): string {
  const [head, index, field] = path;
  if (head === 'glRules' && typeof index === 'number') return `GL rule ${index + 1}: ${field === 'glAccount' ? 'GL account is required' : `${String(field ?? '')} ${message}`.trim()}`;
  const key = path.map(String).join('.');
  return `${FIELD_LABELS[key] ?? (key || 'mapping')}: ${message}`;
}

function GlRules({ rules, onChange, invalidRules }: Readonly<{ rules: readonly GlRule[]; onChange: (r: GlRule[]) => void; invalidRules: ReadonlySet<number> }>) {
  const setRule = (i: number, patch: Partial<Record<keyof GlRule, string>>) =>
    onChange(
      rules.map((r, j) => {
        if (j !== i) return r;
        const next: Record<string, string> = { ...(r as Record<string, string>) };
        for (const [k, v] of Object.entries(patch)) {
          if (v === '' && k !== 'glAccount') delete next[k];
          else next[k] = v;
        }
        return next as GlRule;
      }),
    );
  const move = (i: number, by: number) => {
    const j = i + by;
    if (j < 0 || j >= rules.length) return;
    const next = [...rules];
    [next[i], next[j]] = [next[j]!, next[i]!];
    onChange(next);
  };
  return (
    <div data-testid="mapping-gl-rules">
      <table className="gl-rules">
        <thead>
          <tr>
            <th>#</th>
            <th>Type</th>
            <th>Method</th>
            <th>Card brand</th>
            <th>Customer class</th>
            <th>GL account</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rules.length === 0 ? (
            <tr>
              <td colSpan={7} className="muted small">
                No rules: every payment goes to the default GL account.
              </td>
            </tr>
          ) : null}
          {rules.map((r, i) => (
            <tr key={i} data-testid="mapping-gl-rule">
              <td className="muted num">{i + 1}</td>
              <td>
                <input value={r.transactionType ?? ''} placeholder="any" onChange={(e) => setRule(i, { transactionType: e.target.value.toUpperCase() })} />
              </td>
              <td>
                <select value={r.method ?? ''} onChange={(e) => setRule(i, { method: e.target.value })}>
                  <option value="">any</option>
                  <option value="card">Card</option>
                  <option value="ach">ACH</option>
                </select>
              </td>
              <td>
                <select value={r.cardBrand ?? ''} onChange={(e) => setRule(i, { cardBrand: e.target.value })}>
                  <option value="">any</option>
                  {BRANDS.map((b) => (
                    <option key={b} value={b}>
                      {BRAND_LABELS[b]}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input value={r.customerClass ?? ''} placeholder="any" onChange={(e) => setRule(i, { customerClass: e.target.value })} />
              </td>
              <td>
                <input
                  className="mono"
                  data-testid="mapping-gl-rule-account"
                  value={r.glAccount}
                  maxLength={20}
                  placeholder="required"
                  aria-label={`GL account of rule ${i + 1}`}
                  aria-invalid={invalidRules.has(i) || undefined}
                  onChange={(e) => setRule(i, { glAccount: e.target.value })} />
              </td>
              <td className="gl-tools">
                <button type="button" className="btn-link" aria-label={`Move rule ${i + 1} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                  ↑
                </button>
                <button type="button" className="btn-link" aria-label={`Move rule ${i + 1} down`} disabled={i === rules.length - 1} onClick={() => move(i, 1)}>
                  ↓
                </button>
                <button type="button" className="btn-link" aria-label={`Remove rule ${i + 1}`} data-testid="mapping-gl-rule-remove" onClick={() => onChange(rules.filter((_, j) => j !== i))}>
                  ×
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="btn btn-ghost btn-sm" data-testid="mapping-gl-rule-add" onClick={() => onChange([...rules, { glAccount: '' }])}>
        + Add rule
      </button>
      <span className="muted small"> First matching rule wins; then the default account.</span>
    </div>
  );
}

/** The value once it has stopped changing for `ms`. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(t);
  }, [value, ms]);
  return settled;
}

function Preview({ mapping, valid }: Readonly<{ mapping: ErpMapping; valid: boolean }>) {
  const focused = useUi((s) => s.focusedId);
  const firstRow = useData((s) => s.firstRowId);
  const [txn, setTxn] = useState(String(focused ?? firstRow ?? ''));
  const id = Number(txn);
  // Asked 250 ms after the last edit, not on every keystroke; the last answer stays while the next loads.
  const asked = useSettled(useMemo(() => ({ transactionId: id, mapping }), [id, mapping]), 250);
  const preview = useApiQuery('erp:mappingPreview', asked, { enabled: valid && Number.isInteger(asked.transactionId) && asked.transactionId > 0, keepPrevious: true });
  const result = preview.error ? { state: 'error' as const, message: errorMessage(preview.error) } : preview.data ? { state: 'ready' as const, preview: preview.data } : { state: 'idle' as const };
  return (
    <div className="mapping-preview" data-testid="mapping-preview">
      <div className="mapping-preview-head">
        <strong>Preview</strong>
        <span className="muted small">with the edits above, before saving</span>
        <span className="spacer" />
        <label className="small muted" htmlFor="mapping-preview-txn">
          Transaction
        </label>
        <input id="mapping-preview-txn" className="mono" data-testid="mapping-preview-txn" value={txn} inputMode="numeric" onChange={(e) => setTxn(e.target.value.replace(/\D/g, ''))} />
      </div>
      {!valid ? <p className="muted small">Fix the highlighted problems to see a preview.</p> : null}
      {valid && result.state === 'error' ? <p className="error-text small">{result.message}</p> : null}
      {valid && result.state === 'ready' ? (
        <div className="mapping-preview-body">
          <div className="preview-facts">
            {Object.entries(result.preview.facts).map(([k, v]) => (
              <span key={k} className="chip">
                <span className="muted">{k}</span> {v === null ? '—' : String(v)}
              </span>
            ))}
          </div>
          <table className="kv">
            <tbody>
              <tr>
                <td>Payment type</td>
                <td className="mono" data-testid="mapping-preview-paymentType">
                  {result.preview.result.paymentType || '(empty)'}
                </td>
              </tr>
              <tr>
                <td>GL account</td>
                <td className="mono" data-testid="mapping-preview-glAccount">
                  {result.preview.result.glAccount || '(empty)'}{' '}
                  <span className="muted" data-testid="mapping-preview-rule">
                    {result.preview.result.glRule === null ? '(default account)' : `(rule ${result.preview.result.glRule + 1})`}
                  </span>
                </td>
              </tr>
              <tr>
                <td>Status</td>
                <td className="mono">{result.preview.result.status}</td>
              </tr>
              <tr>
                <td>Bank code</td>
                <td className="mono">{result.preview.result.bankCode}</td>
              </tr>
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

/** Versioned payment mapping of the configured ERP connection: edit, preview, save. */
export function PaymentMapping() {
  const zone = useData((s) => s.info?.merchantZone ?? 'America/Los_Angeles');
  const user = useUser();
  const isAdmin = hasRole(user, 'admin');
  const client = useQueryClient();
  const mapping = useApiQuery('erp:mapping', {}, { refetchOnMount: 'always' });
  const saveMapping = useApiMutation('erp:mappingSave');
  const [edits, setEdits] = useState<ErpMapping | null>(null);
  const view = mapping.data ?? null;
  const draft = edits ?? view?.mapping ?? null;
  const loadError = mapping.error ? settingsErrorMessage(mapping.error, 'the payment mapping') : null;
  const saving = saveMapping.isPending;
  const saveError = saveMapping.error ? settingsErrorMessage(saveMapping.error, 'the payment mapping') : null;
  const parsed = useMemo(() => (draft ? erpMappingSchema.safeParse(draft) : null), [draft]);
  const issueList = parsed && !parsed.success ? parsed.error.issues : [];
  const issues = issueList.map((i) => issueText(i.path, i.message));
  const invalidPaths = new Set(issueList.map((i) => i.path.map(String).join('.')));
  const invalidRules = new Set(issueList.filter((i) => i.path[0] === 'glRules' && typeof i.path[1] === 'number').map((i) => i.path[1] as number));
  const dirty = view !== null && draft !== null && canonical(view.mapping) !== canonical(draft);

  if (loadError) return <p className="error-text pad">{loadError}</p>;
  if (!view || !draft) return <p className="muted pad">Loading the payment mapping…</p>;
  const set = (patch: Partial<ErpMapping>) => {
    saveMapping.reset();
    setEdits({ ...draft, ...patch });
  };
  const setBrand = (brand: string, code: string) => {
    const byBrand: Record<string, string> = { ...draft.paymentTypes.byBrand };
    if (code.trim() === '') delete byBrand[brand];
    else byBrand[brand] = code;
    set({ paymentTypes: { ...draft.paymentTypes, byBrand } });
  };
  // A disabled Save button always says why, next to it (a tooltip alone is not seen).
  const blockedBy = saving
    ? null
    : !isAdmin
      ? `Only an admin can save the payment mapping${user ? ` (you are signed in as ${user.userName}, ${user.role})` : ''}.`
      : issues.length > 0
        ? `Fix ${issues.length === 1 ? 'the problem' : `the ${issues.length} problems`} below to save.`
        : !dirty
          ? 'No unsaved changes.'
          : null;
  const save = async () => {
    if (!parsed?.success) return;
    try {
      const v = await saveMapping.mutateAsync({ mapping: parsed.data });
      setApiQueryData(client, 'erp:mapping', {}, v);
      setEdits(null);
      toast('success', `Payment mapping saved as version ${v.version}`, ['New postings use it; postings already queued keep the version they were approved with.']);
    } catch (err) {
      // Also as a toast: the inline message may be out of view in a long form.
      toast('error', 'Payment mapping not saved', [settingsErrorMessage(err, 'the payment mapping')]);
    }
  };

  return (
    <div className="mapping" data-testid="settings-mapping">
      <div className="mapping-head">
        <div className="mapping-head-row">
          <div>
            <div className="mapping-title">Payment mapping · {view.kind}</div>
            <div className="muted small" data-testid="mapping-version">
              Version {view.version}
              {view.savedBy ? ` · saved ${formatDateTimeInZone(view.savedAt, zone)} by ${view.savedBy}` : ' · defaults, never saved'}
            </div>
          </div>
          <span className="spacer" />
          {dirty ? (
            <span className="muted small" data-testid="mapping-dirty">
              Unsaved mapping changes
            </span>
          ) : null}
          <button type="button" className="btn btn-ghost btn-sm" data-testid="mapping-revert" disabled={!dirty || saving} onClick={() => setEdits(null)}>
            Revert
          </button>
          <button
            type="button"
            className="btn btn-primary btn-sm"
            data-testid="mapping-save"
            disabled={blockedBy !== null || saving}
            title={blockedBy ?? undefined}
            aria-describedby={blockedBy ? 'mapping-save-reason' : undefined}
            onClick={() => void save()}
          >
            {saving ? 'Saving…' : 'Save mapping'}
          </button>
        </div>
        {blockedBy && (dirty || !isAdmin) ? (
          <p id="mapping-save-reason" className={`small mapping-save-reason${isAdmin ? ' muted' : ' mapping-admin-only'}`} data-testid="mapping-save-reason">
            {blockedBy}
          </p>
        ) : null}
        {saveError ? (
          <p className="error-text small mapping-error" role="alert" data-testid="mapping-error">
            {saveError}
          </p>
        ) : null}
        {issues.length > 0 ? (
          <ul className="error-text small mapping-error" data-testid="mapping-issues">
            {issues.slice(0, 5).map((i) => (
              <li key={i}>{i}</li>
            ))}
          </ul>
        ) : null}
      </div>

      {/* Read-only for roles that may not save (the reason is shown by Save above). */}
      <fieldset className="settings-fieldset" disabled={!isAdmin} data-testid="mapping-fields">
      <h4 className="mapping-sub">Payment types</h4>
      <div className="mapping-grid">
        <F label="Card">
          <Text testId="mapping-card" invalid={invalidPaths.has('paymentTypes.card')} value={draft.paymentTypes.card} onChange={(card) => set({ paymentTypes: { ...draft.paymentTypes, card } })} />
        </F>
        <F label="ACH">
          <Text testId="mapping-ach" invalid={invalidPaths.has('paymentTypes.ach')} value={draft.paymentTypes.ach} onChange={(ach) => set({ paymentTypes: { ...draft.paymentTypes, ach } })} />
        </F>
        {BRANDS.map((b) => (
          <F key={b} label={BRAND_LABELS[b]}>
            <Text testId={`mapping-brand-${b}`} value={draft.paymentTypes.byBrand[b] ?? ''} placeholder={draft.paymentTypes.card || 'card code'} onChange={(v) => setBrand(b, v)} />
          </F>
        ))}
      </div>

      <h4 className="mapping-sub">Receipt status</h4>
      <div className="mapping-grid">
        <F label="Settled payment">
          <Text testId="mapping-status-settled" invalid={invalidPaths.has('statusMap.settled')} value={draft.statusMap.settled} onChange={(settled) => set({ statusMap: { ...draft.statusMap, settled } })} />
        </F>
        <F label="Not yet settled">
          <Text testId="mapping-status-unsettled" invalid={invalidPaths.has('statusMap.unsettled')} value={draft.statusMap.unsettled} onChange={(unsettled) => set({ statusMap: { ...draft.statusMap, unsettled } })} />
        </F>
      </div>

      <h4 className="mapping-sub">GL accounts</h4>
      <GlRules rules={draft.glRules} invalidRules={invalidRules} onChange={(glRules) => set({ glRules })} />
      <div className="mapping-grid">
        <F label="Default GL account">
          <Text testId="mapping-defaultGlAccount" invalid={invalidPaths.has('defaultGlAccount')} value={draft.defaultGlAccount} onChange={(defaultGlAccount) => set({ defaultGlAccount })} />
        </F>
        <F label="Discount GL account (early-payment discounts taken)">
          <Text testId="mapping-discountGlAccount" invalid={invalidPaths.has('discountGlAccount')} value={draft.discountGlAccount ?? ''} onChange={(discountGlAccount) => set({ discountGlAccount })} />
        </F>
        <F label="Bank code">
          <Text testId="mapping-bankCode" invalid={invalidPaths.has('bankCode')} value={draft.bankCode} onChange={(bankCode) => set({ bankCode })} />
        </F>
        <F label="Deposit prefix">
          <Text testId="mapping-depositPrefix" invalid={invalidPaths.has('depositPrefix')} max={10} value={draft.depositPrefix} onChange={(depositPrefix) => set({ depositPrefix })} />
        </F>
      </div>

      <h4 className="mapping-sub">Company</h4>
      <div className="mapping-grid">
        <F label="Company code">
          <Text testId="mapping-companyCode" invalid={invalidPaths.has('companyCode')} max={10} value={draft.companyCode} onChange={(companyCode) => set({ companyCode })} />
        </F>
        <F label="Division">
          <Text testId="mapping-division" invalid={invalidPaths.has('division')} max={10} value={draft.division} onChange={(division) => set({ division })} />
        </F>
        <F label="Currency" hint="ISO code, e.g. USD">
          <Text testId="mapping-currency" invalid={invalidPaths.has('currency')} max={3} value={draft.currency} onChange={(currency) => set({ currency: currency.toUpperCase() })} />
        </F>
        <F label="Decimals">
          <input type="number" min={0} max={4} data-testid="mapping-decimals" value={draft.decimals} onChange={(e) => set({ decimals: Math.trunc(Number(e.target.value) || 0) })} />
        </F>
      </div>
      </fieldset>

      <Preview mapping={draft} valid={issues.length === 0} />

      <h4 className="mapping-sub">Version history</h4>
      <table className="table mapping-history" data-testid="mapping-history">
        <thead>
          <tr>
            <th>Version</th>
            <th>Saved</th>
            <th>By</th>
          </tr>
        </thead>
        <tbody>
          {view.history.length === 0 ? (
            <tr>
              <td colSpan={3} className="muted">
                Not saved yet: the defaults are in use.
              </td>
            </tr>
          ) : null}
          {view.history.map((h) => (
            <tr key={h.version} className={h.version === view.version ? 'current' : undefined}>
              <td className="num">
                v{h.version}
                {h.version === view.version ? <span className="muted"> · current</span> : null}
              </td>
              <td className="num">{formatDateTimeInZone(h.savedAt, zone)}</td>
              <td>{h.savedBy}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
