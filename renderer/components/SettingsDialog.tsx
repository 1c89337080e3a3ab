import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ConnectionTestResult } from '@shared/api-contract';
import {
  ERP_KIND_VALUES,
  PAYTRACE_PRODUCTION_URL,
  PAYTRACE_SANDBOX_URL,
  type ConnectionId,
  type Settings,
  type SettingsView,
} from '@shared/settings';
import { errorMessage, invoke } from '../api/client';
import { refreshRows } from '../state/data-store';
import { toast } from '../state/toast-store';
import { useUi } from '../state/ui-store';
import { CheckIcon, CloseIcon } from './icons';
import { ErpOptionFields } from '../features/erp-settings/ErpOptionFields';
import { PaymentMapping } from '../features/erp-settings/PaymentMapping';
import { settingsErrorMessage } from '../features/erp-settings/erp-kinds';
import { UsersTab } from '../features/admin/UsersTab';
import { ApprovalLimitsTab } from '../features/admin/ApprovalLimitsTab';
import { MatchingRulesTab } from '../features/matching-rules/MatchingRulesTab';
import { useUser } from '../features/auth/session-store';

// Settings: non-secret values are edited as a draft and saved as one patch.
// Credentials go straight to the vault (credentials:set); the renderer never
// receives them back, only "set" / "not set".

const ERP_KIND_LABELS: Record<(typeof ERP_KIND_VALUES)[number], string> = {
  p21: 'Epicor Prophet 21',
  eclipse: 'Epicor Eclipse',
  'sap-ecc': 'SAP ECC',
  sage100: 'Sage 100',
  abas: 'abas ERP',
  file: 'File (open AR CSV)',
};

const TIME_ZONES: readonly string[] = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['America/Los_Angeles', 'America/Denver', 'America/Chicago', 'America/New_York', 'UTC'];
  }
})();

function Field({ label, hint, children, htmlFor }: Readonly<{ label: string; hint?: string; children: ReactNode; htmlFor: string }>) {
  return (
    <div className="field">
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      {hint ? <span className="field-hint">{hint}</span> : null}
    </div>
  );
}

function numberOr(value: string, fallback: number): number {
  const n = Number(value);
  return value.trim() === '' || !Number.isFinite(n) ? fallback : Math.trunc(n);
}

function CredentialsBlock({ connection, status, onChanged }: Readonly<{ connection: ConnectionId; status: 'set' | 'not set'; onChanged: (v: SettingsView) => void }>) {
  const [editing, setEditing] = useState(false);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const id = `credentials-${connection}`;

  const reset = () => {
    setEditing(false);
    setUsername('');
    setPassword('');
  };

  const save = async () => {
    setBusy(true);
    try {
      onChanged(await invoke('credentials:set', { connection, username, password }));
      toast('success', 'Credentials saved to the system keychain');
      reset();
    } catch (err) {
      toast('error', 'Could not save credentials', [settingsErrorMessage(err, 'credentials')]);
    } finally {
      setBusy(false);
      setPassword('');
    }
  };

  const clear = async () => {
    setBusy(true);
    try {
      onChanged(await invoke('credentials:clear', { connection }));
      toast('info', 'Credentials removed from the system keychain');
    } catch (err) {
      toast('error', 'Could not clear credentials', [settingsErrorMessage(err, 'credentials')]);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="creds">
      <div className="creds-row">
        <span className="creds-label">Credentials</span>
        <span className={`cred-status cred-${status === 'set' ? 'set' : 'unset'}`} data-testid={`${id}-status`} data-status={status}>
          {status === 'set' ? 'Set' : 'Not set'}
        </span>
        <span className="muted small">Stored in the OS keychain; never shown again.</span>
        <span className="spacer" />
        {!editing ? (
          <>
            <button type="button" className="btn btn-secondary btn-sm" data-testid={`${id}-replace`} onClick={() => setEditing(true)} disabled={busy}>
              {status === 'set' ? 'Replace' : 'Set'}
            </button>
            <button type="button" className="btn btn-ghost btn-sm" data-testid={`${id}-clear`} onClick={() => void clear()} disabled={busy || status !== 'set'}>
              Clear
            </button>
          </>
        ) : null}
      </div>
      {editing ? (
        <form
          className="creds-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <input
            id={`${id}-username`}
            data-testid={`${id}-username`}
            placeholder="Username"
            autoComplete="off"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoFocus
          />
          <input
            id={`${id}-password`}
            data-testid={`${id}-password`}
            type="password"
            placeholder="Password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <button type="submit" className="btn btn-primary btn-sm" data-testid={`${id}-save`} disabled={busy || !username || !password}>
            Save
          </button>
          <button type="button" className="btn btn-ghost btn-sm" onClick={reset} disabled={busy}>
            Cancel
          </button>
        </form>
      ) : null}
    </div>
  );
}

type TestState = Readonly<{ state: 'idle' } | { state: 'running' } | { state: 'done'; result: ConnectionTestResult } | { state: 'error'; message: string }>;

function TestResult({ connection, test }: Readonly<{ connection: ConnectionId; test: TestState }>) {
  if (test.state === 'idle') return null;
  const id = `connection-test-${connection}-result`;
  if (test.state === 'running') return <div className="test-result muted" data-testid={id} data-ok="pending">Testing…</div>;
  if (test.state === 'error') {
    return (
      <div className="test-result test-fail" data-testid={id} data-ok="false">
        {test.message}
      </div>
    );
  }
  const r = test.result;
  return (
    <div className={`test-result ${r.ok ? 'test-ok' : 'test-fail'}`} data-testid={id} data-ok={String(r.ok)}>
      <div className="test-summary">{r.summary}</div>
      <ul className="checks">
        {r.checks.map((c) => (
          <li key={c.name} className={c.ok ? 'check-ok' : 'check-fail'}>
            {c.ok ? <CheckIcon size={12} /> : <CloseIcon size={12} />}
            <span className="check-name">{c.name}</span>
            <span className="muted">{c.detail}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function SettingsDialog() {
  const open = useUi((s) => s.settingsOpen);
  const setOpen = useUi((s) => s.setSettingsOpen);
  const [view, setView] = useState<SettingsView | null>(null);
  const [draft, setDraft] = useState<Settings | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [tests, setTests] = useState<Record<ConnectionId, TestState>>({ paytrace: { state: 'idle' }, erp: { state: 'idle' } });
  const [tab, setTab] = useState<'connections' | 'mapping' | 'rules' | 'users' | 'limits'>('connections');
  // Admin tabs are hidden from others; the engine refuses their calls anyway.
  const isAdmin = useUser()?.role === 'admin';
  const dialogRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    setLoadError(null);
    setTests({ paytrace: { state: 'idle' }, erp: { state: 'idle' } });
    invoke('settings:get', {})
      .then((v) => {
        setView(v);
        setDraft(v.settings);
      })
      .catch((err: unknown) => setLoadError(errorMessage(err)));
  }, [open]);

  useEffect(() => {
    if (open) dialogRef.current?.focus();
  }, [open]);

  const dirty = useMemo(() => view !== null && draft !== null && JSON.stringify(view.settings) !== JSON.stringify(draft), [view, draft]);

  if (!open) return null;

  const close = () => setOpen(false);
  const patch = <K extends keyof Settings>(section: K, value: Partial<Settings[K]>) =>
    setDraft((d) => (d ? { ...d, [section]: { ...d[section], ...value } } : d));

  const save = async (): Promise<boolean> => {
    if (!draft) return false;
    setSaving(true);
    try {
      const v = await invoke('settings:save', { paytrace: draft.paytrace, erp: draft.erp, sync: draft.sync });
      setView(v);
      setDraft(v.settings);
      toast('success', 'Settings saved');
      void refreshRows();
      return true;
    } catch (err) {
      toast('error', 'Settings not saved', [settingsErrorMessage(err, 'settings')]);
      return false;
    } finally {
      setSaving(false);
    }
  };

  const runTest = async (connection: ConnectionId) => {
    // The engine tests what is saved, so unsaved edits are saved first.
    if (dirty && !(await save())) return;
    setTests((t) => ({ ...t, [connection]: { state: 'running' } }));
    try {
      const result = await invoke('connection:test', { connection });
      setTests((t) => ({ ...t, [connection]: { state: 'done', result } }));
    } catch (err) {
      setTests((t) => ({ ...t, [connection]: { state: 'error', message: errorMessage(err) } }));
    }
  };

  const onCredentials = (v: SettingsView) => setView((old) => (old ? { ...old, credentials: v.credentials } : v));

  const body = (() => {
    if (loadError) return <p className="error-text pad">{loadError}</p>;
    if (!draft || !view) return <p className="muted pad">Loading settings…</p>;
    if (tab === 'mapping') return <PaymentMapping />;
    if (tab === 'rules') return <MatchingRulesTab />;
    if (tab === 'users' && isAdmin) return <UsersTab />;
    if (tab === 'limits' && isAdmin) return <ApprovalLimitsTab />;
    const pt = draft.paytrace;
    const erp = draft.erp;
    return (
      <>
        <section className="settings-section" data-testid="settings-paytrace">
          <header className="settings-head">
            <h3>PayTrace</h3>
            <button type="button" className="btn btn-secondary btn-sm" data-testid="connection-test-paytrace" onClick={() => void runTest('paytrace')} disabled={tests.paytrace.state === 'running' || saving}>
              {dirty ? 'Save & test connection' : 'Test connection'}
            </button>
          </header>
          <div className="field-grid">
            <Field label="Environment" htmlFor="pt-env">
              <select
                id="pt-env"
                data-testid="settings-paytrace-environment"
                value={pt.environment}
                onChange={(e) => {
                  const environment = e.target.value as Settings['paytrace']['environment'];
                  const url = environment === 'production' ? PAYTRACE_PRODUCTION_URL : environment === 'sandbox' ? PAYTRACE_SANDBOX_URL : pt.baseUrl;
                  patch('paytrace', { environment, baseUrl: url });
                }}
              >
                <option value="demo">Demo (built-in sandbox)</option>
                <option value="sandbox">PayTrace sandbox</option>
                <option value="production">Production</option>
              </select>
            </Field>
            <Field label="Base URL" htmlFor="pt-url">
              <input id="pt-url" data-testid="settings-paytrace-baseUrl" value={pt.baseUrl} onChange={(e) => patch('paytrace', { baseUrl: e.target.value })} spellCheck={false} />
            </Field>
            <Field label="Integrator ID" htmlFor="pt-int">
              <input id="pt-int" data-testid="settings-paytrace-integratorId" value={pt.integratorId} onChange={(e) => patch('paytrace', { integratorId: e.target.value })} spellCheck={false} />
            </Field>
            <Field label="First-sync lookback" hint="days" htmlFor="pt-lb">
              <input id="pt-lb" type="number" min={1} max={366} data-testid="settings-paytrace-lookbackDays" value={pt.lookbackDays} onChange={(e) => patch('paytrace', { lookbackDays: numberOr(e.target.value, pt.lookbackDays) })} />
            </Field>
            <Field label="Re-read overlap" hint="hours, catches late settlements" htmlFor="pt-ov">
              <input id="pt-ov" type="number" min={0} max={336} data-testid="settings-paytrace-overlapHours" value={pt.overlapHours} onChange={(e) => patch('paytrace', { overlapHours: numberOr(e.target.value, pt.overlapHours) })} />
            </Field>
            <Field label="Request timeout" hint="seconds" htmlFor="pt-to">
              <input id="pt-to" type="number" min={5} max={600} data-testid="settings-paytrace-timeoutSeconds" value={pt.timeoutSeconds} onChange={(e) => patch('paytrace', { timeoutSeconds: numberOr(e.target.value, pt.timeoutSeconds) })} />
            </Field>
          </div>
          <CredentialsBlock connection="paytrace" status={view.credentials.paytrace} onChanged={onCredentials} />
          <TestResult connection="paytrace" test={tests.paytrace} />
        </section>

        <section className="settings-section" data-testid="settings-erp">
          <header className="settings-head">
            <h3>ERP</h3>
            <button type="button" className="btn btn-secondary btn-sm" data-testid="connection-test-erp" onClick={() => void runTest('erp')} disabled={tests.erp.state === 'running' || saving}>
              {dirty ? 'Save & test connection' : 'Test connection'}
            </button>
          </header>
          <div className="field-grid">
            <Field label="ERP" htmlFor="erp-kind">
              <select id="erp-kind" data-testid="settings-erp-kind" value={erp.kind} onChange={(e) => patch('erp', { kind: e.target.value as Settings['erp']['kind'], options: {} })}>
                {ERP_KIND_VALUES.map((k) => (
                  <option key={k} value={k}>
                    {ERP_KIND_LABELS[k]}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Base URL" htmlFor="erp-url">
              <input id="erp-url" data-testid="settings-erp-baseUrl" value={erp.baseUrl} onChange={(e) => patch('erp', { baseUrl: e.target.value })} spellCheck={false} disabled={erp.demo} />
            </Field>
            <Field label="Mode" htmlFor="erp-demo">
              <label className="checkbox">
                <input id="erp-demo" type="checkbox" data-testid="settings-erp-demo" checked={erp.demo} onChange={(e) => patch('erp', { demo: e.target.checked })} />
                Use the built-in demo sandbox
              </label>
            </Field>
          </div>
          <ErpOptionFields kind={erp.kind} options={erp.options} onChange={(options) => patch('erp', { options })} />
          <CredentialsBlock connection="erp" status={view.credentials.erp} onChanged={onCredentials} />
          <TestResult connection="erp" test={tests.erp} />
        </section>

        <section className="settings-section" data-testid="settings-sync">
          <header className="settings-head">
            <h3>Sync</h3>
          </header>
          <div className="field-grid">
            <Field label="Sync every" hint="minutes" htmlFor="sync-int">
              <input id="sync-int" type="number" min={1} max={1440} data-testid="settings-sync-intervalMinutes" value={draft.sync.intervalMinutes} onChange={(e) => patch('sync', { intervalMinutes: numberOr(e.target.value, draft.sync.intervalMinutes) })} />
            </Field>
            <Field label="Merchant time zone" hint="PayTrace timestamps are read in this zone" htmlFor="sync-zone">
              <input id="sync-zone" list="tz-list" data-testid="settings-sync-merchantZone" value={draft.sync.merchantZone} onChange={(e) => patch('sync', { merchantZone: e.target.value })} spellCheck={false} />
              <datalist id="tz-list">
                {TIME_ZONES.map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
            </Field>
          </div>
        </section>
      </>
    );
  })();

  return (
    <div className="modal-overlay" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="settings-title"
        data-testid="settings-dialog"
        tabIndex={-1}
        ref={dialogRef}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            close();
          }
        }}
      >
        <div className="modal-head">
          <h2 id="settings-title">Settings</h2>
          <button type="button" className="btn btn-icon btn-sm" aria-label="Close" data-testid="settings-close" onClick={close}>
            <CloseIcon />
          </button>
        </div>
        <div className="settings-tabs" role="tablist">
          <button type="button" role="tab" className="settings-tab" aria-selected={tab === 'connections'} data-testid="settings-tab-connections" onClick={() => setTab('connections')}>
            Connections
          </button>
          <button type="button" role="tab" className="settings-tab" aria-selected={tab === 'mapping'} data-testid="settings-tab-mapping" onClick={() => setTab('mapping')}>
            Payment mapping
          </button>
          <button type="button" role="tab" className="settings-tab" aria-selected={tab === 'rules'} data-testid="settings-tab-rules" onClick={() => setTab('rules')}>
            Matching rules
          </button>
          {isAdmin ? (
            <>
              <button type="button" role="tab" className="settings-tab" aria-selected={tab === 'users'} data-testid="settings-tab-users" onClick={() => setTab('users')}>
                Users
              </button>
              <button type="button" role="tab" className="settings-tab" aria-selected={tab === 'limits'} data-testid="settings-tab-limits" onClick={() => setTab('limits')}>
                Approval limits
              </button>
            </>
          ) : null}
        </div>
        <div className="modal-body">{body}</div>
        <div className="modal-foot">
          <span className="muted small">{dirty ? 'Unsaved changes' : 'All changes saved'}</span>
          <span className="spacer" />
          <button type="button" className="btn btn-ghost" data-testid="settings-cancel" onClick={close}>
            {dirty ? 'Discard' : 'Close'}
          </button>
          <button type="button" className="btn btn-primary" data-testid="settings-save" disabled={!dirty || saving} onClick={() => void save()}>
            {saving ? 'Saving…' : 'Save'}
          </button>
        </div>
      </div>
    </div>
  );
}
