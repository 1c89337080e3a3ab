import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { ConnectionTestResult } from '@shared/api-contract';
import {
  PAYTRACE_PRODUCTION_URL,
  PAYTRACE_SANDBOX_URL,
  type ConnectionId,
  type Settings,
  type SettingsView,
} from '@shared/settings';
import { errorMessage } from '../api/client';
import { apiQueryKey, useApiMutation, useApiQuery } from '../api/query';
import { Field, NumberInput, Select, SubmitButton, TextInput } from '../ui/form';
import { refreshRows } from '../state/data-store';
import { toast } from '../state/toast-store';
import { useUi } from '../state/ui-store';
import { CheckIcon, CloseIcon } from './icons';
import { ErpOptionFields } from '../features/erp-settings/ErpOptionFields';
import { PaymentMapping } from '../features/erp-settings/PaymentMapping';
import { ErpDiscovery } from '../features/erp-settings/ErpDiscovery';
import { settingsErrorMessage, useErpKinds } from '../features/erp-settings/erp-kinds';
import { UsersTab } from '../features/admin/UsersTab';
import { ApprovalLimitsTab } from '../features/admin/ApprovalLimitsTab';
import { TwoStepTab } from '../features/auth/TwoStepTab';
import { ChangePassword } from '../features/auth/ChangePassword';
import { MatchingRulesTab } from '../features/matching-rules/MatchingRulesTab';
import { useUser } from '../features/auth/session-store';
import { SaveDiagnosticsButton } from '../features/diagnostics/SaveDiagnosticsButton';
import { WorkspaceTab } from '../features/workspace-settings/WorkspaceTab';
import { maySave, readOnlyNotice } from '@shared/settings-rights';

// Settings: non-secret values are edited as a draft and saved as one patch.
// Credentials go straight to the vault (credentials:set); the renderer never
// receives them back, only "set" / "not set".

const PAYTRACE_ENVIRONMENTS = [
  { value: 'demo', label: 'Demo (built-in sandbox)' },
  { value: 'sandbox', label: 'PayTrace sandbox' },
  { value: 'production', label: 'Production' },
] as const satisfies ReadonlyArray<Readonly<{ value: Settings['paytrace']['environment']; label: string }>>;

const TIME_ZONES: readonly string[] = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['America/Los_Angeles', 'America/Denver', 'America/Chicago', 'America/New_York', 'UTC'];
  }
})();

/** Keeps the cached settings view and takes only the credential statuses from a credentials reply. */
function useCredentialsChanged(): (v: SettingsView) => void {
  const client = useQueryClient();
  return (v) => client.setQueryData<SettingsView>(apiQueryKey('settings:get', {}), (old) => (old ? { ...old, credentials: v.credentials } : v));
}

function CredentialsBlock({ connection, status }: Readonly<{ connection: ConnectionId; status: 'set' | 'not set' }>) {
  const [editing, setEditing] = useState(false);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const setCredentials = useApiMutation('credentials:set');
  const clearCredentials = useApiMutation('credentials:clear');
  const onChanged = useCredentialsChanged();
  const busy = setCredentials.isPending || clearCredentials.isPending;
  const id = `credentials-${connection}`;

  const reset = () => {
    setEditing(false);
    setUsername('');
    setPassword('');
  };

  const save = async () => {
    try {
      onChanged(await setCredentials.mutateAsync({ connection, username, password }));
      toast('success', 'Credentials saved to the system keychain');
      reset();
    } catch (err) {
      toast('error', 'Could not save credentials', [settingsErrorMessage(err, 'credentials')]);
    } finally {
      setPassword('');
    }
  };

  const clear = async () => {
    try {
      onChanged(await clearCredentials.mutateAsync({ connection }));
      toast('info', 'Credentials removed from the system keychain');
    } catch (err) {
      toast('error', 'Could not clear credentials', [settingsErrorMessage(err, 'credentials')]);
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
          <TextInput id={`${id}-username`} testId={`${id}-username`} placeholder="Username" autoComplete="off" value={username} onChange={setUsername} autoFocus />
          <TextInput id={`${id}-password`} testId={`${id}-password`} type="password" placeholder="Password" autoComplete="new-password" value={password} onChange={setPassword} />
          <SubmitButton busy={busy} disabled={!username || !password} testId={`${id}-save`}>
            Save
          </SubmitButton>
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

type SettingsTab = 'connections' | 'mapping' | 'rules' | 'users' | 'limits' | 'workspace' | 'own-sign-in';

/** A connection test is a mutation (it asks the remote); its state is what the result line shows. */
function useConnectionTest(connection: ConnectionId): Readonly<{ test: TestState; run: () => void }> {
  const m = useApiMutation('connection:test');
  const test: TestState = m.isPending
    ? { state: 'running' }
    : m.isError
      ? { state: 'error', message: errorMessage(m.error) }
      : m.isSuccess
        ? { state: 'done', result: m.data }
        : { state: 'idle' };
  return { test, run: () => m.mutate({ connection }) };
}

export function SettingsDialog() {
  const open = useUi((s) => s.settingsOpen);
  const setOpen = useUi((s) => s.setSettingsOpen);
  // The tab outlives the dialog: it opens again where the user left it.
  const [tab, setTab] = useState<SettingsTab>('connections');
  if (!open) return null;
  return <SettingsModal tab={tab} setTab={setTab} close={() => setOpen(false)} />;
}

/** Mounted while the dialog is open, so every opening starts from the saved settings and fresh test results. */
function SettingsModal({ tab, setTab, close }: Readonly<{ tab: SettingsTab; setTab: (t: SettingsTab) => void; close: () => void }>) {
  const client = useQueryClient();
  const settings = useApiQuery('settings:get', {}, { refetchOnMount: 'always' });
  const erpKinds = useErpKinds();
  const saveSettings = useApiMutation('settings:save');
  const [edits, setEdits] = useState<Settings | null>(null);
  const paytraceTest = useConnectionTest('paytrace');
  const erpTest = useConnectionTest('erp');
  const tests: Record<ConnectionId, TestState> = { paytrace: paytraceTest.test, erp: erpTest.test };
  // Admin tabs are hidden from others; the engine refuses their calls anyway.
  const user = useUser();
  const role = user?.role;
  const isAdmin = role === 'admin';
  // Roles that may not save see the settings read-only, with who may change them (not a refusal on Save).
  const readOnly = !maySave(user, 'settings:save');
  // Two-step sign-in is offered to the roles that approve (supervisors and admins); everyone changes their own password.
  const mayUseTwoStep = role === 'admin' || role === 'supervisor';
  const dialogRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    dialogRef.current?.focus();
  }, []);

  const view = settings.data ?? null;
  const draft = edits ?? view?.settings ?? null;
  const dirty = view !== null && draft !== null && JSON.stringify(view.settings) !== JSON.stringify(draft);
  const saving = saveSettings.isPending;

  const patch = <K extends keyof Settings>(section: K, value: Partial<Settings[K]>) =>
    setEdits((d) => {
      const current = d ?? view?.settings;
      return current ? { ...current, [section]: { ...current[section], ...value } } : null;
    });

  const save = async (): Promise<boolean> => {
    if (!draft) return false;
    try {
      const v = await saveSettings.mutateAsync({ paytrace: draft.paytrace, erp: draft.erp, sync: draft.sync });
      client.setQueryData(apiQueryKey('settings:get', {}), v);
      setEdits(null);
      toast('success', 'Settings saved');
      void refreshRows();
      return true;
    } catch (err) {
      toast('error', 'Settings not saved', [settingsErrorMessage(err, 'settings')]);
      return false;
    }
  };

  const runTest = async (connection: ConnectionId) => {
    // The engine tests what is saved, so unsaved edits are saved first.
    if (dirty && !(await save())) return;
    (connection === 'paytrace' ? paytraceTest : erpTest).run();
  };

  const loadError = settings.error ? errorMessage(settings.error) : null;
  const erpKindOptions = (current: Settings['erp']['kind']) => {
    const known = (erpKinds.data ?? []).map((k) => ({ value: k.kind, label: k.label }));
    // Until erp:kinds answers (or for a kind this build lacks) the stored kind stays selectable.
    return known.some((k) => k.value === current) ? known : [...known, { value: current, label: current }];
  };

  const body = (() => {
    if (loadError) return <p className="error-text pad">{loadError}</p>;
    if (!draft || !view) return <p className="muted pad">Loading settings…</p>;
    if (tab === 'mapping') return <PaymentMapping />;
    if (tab === 'rules') return <MatchingRulesTab />;
    if (tab === 'users' && isAdmin) return <UsersTab />;
    if (tab === 'limits' && isAdmin) return <ApprovalLimitsTab />;
    if (tab === 'workspace' && isAdmin) return <WorkspaceTab />;
    if (tab === 'own-sign-in')
      return (
        <>
          <ChangePassword />
          {mayUseTwoStep ? <TwoStepTab /> : null}
        </>
      );
    const pt = draft.paytrace;
    const erp = draft.erp;
    return (
      <>
        {readOnly ? (
          <p className="settings-readonly" data-testid="settings-read-only">
            {readOnlyNotice(user, 'the connection and sync settings', 'settings:save')} You can still test the connections.
          </p>
        ) : null}
        <section className="settings-section" data-testid="settings-paytrace">
          <header className="settings-head">
            <h3>PayTrace</h3>
            <button type="button" className="btn btn-secondary btn-sm" data-testid="connection-test-paytrace" onClick={() => void runTest('paytrace')} disabled={tests.paytrace.state === 'running' || saving}>
              {dirty ? 'Save & test connection' : 'Test connection'}
            </button>
          </header>
          <fieldset className="settings-fieldset" disabled={readOnly}>
          <div className="field-grid">
            <Field label="Environment" htmlFor="pt-env">
              <Select
                id="pt-env"
                testId="settings-paytrace-environment"
                value={pt.environment}
                options={PAYTRACE_ENVIRONMENTS}
                onChange={(environment) => {
                  const url = environment === 'production' ? PAYTRACE_PRODUCTION_URL : environment === 'sandbox' ? PAYTRACE_SANDBOX_URL : pt.baseUrl;
                  patch('paytrace', { environment, baseUrl: url });
                }}
              />
            </Field>
            <Field label="Base URL" htmlFor="pt-url">
              <TextInput id="pt-url" testId="settings-paytrace-baseUrl" value={pt.baseUrl} onChange={(v) => patch('paytrace', { baseUrl: v })} spellCheck={false} />
            </Field>
            <Field label="Integrator ID" htmlFor="pt-int">
              <TextInput id="pt-int" testId="settings-paytrace-integratorId" value={pt.integratorId} onChange={(v) => patch('paytrace', { integratorId: v })} spellCheck={false} />
            </Field>
            <Field label="First-sync lookback" hint="days" htmlFor="pt-lb">
              <NumberInput id="pt-lb" min={1} max={366} testId="settings-paytrace-lookbackDays" value={pt.lookbackDays} onChange={(v) => patch('paytrace', { lookbackDays: v })} />
            </Field>
            <Field label="Re-read overlap" hint="hours, catches late settlements" htmlFor="pt-ov">
              <NumberInput id="pt-ov" min={0} max={336} testId="settings-paytrace-overlapHours" value={pt.overlapHours} onChange={(v) => patch('paytrace', { overlapHours: v })} />
            </Field>
            <Field label="Request timeout" hint="seconds" htmlFor="pt-to">
              <NumberInput id="pt-to" min={5} max={600} testId="settings-paytrace-timeoutSeconds" value={pt.timeoutSeconds} onChange={(v) => patch('paytrace', { timeoutSeconds: v })} />
            </Field>
          </div>
          <CredentialsBlock connection="paytrace" status={view.credentials.paytrace} />
          </fieldset>
          <TestResult connection="paytrace" test={tests.paytrace} />
        </section>

        <section className="settings-section" data-testid="settings-erp">
          <header className="settings-head">
            <h3>ERP</h3>
            <button type="button" className="btn btn-secondary btn-sm" data-testid="connection-test-erp" onClick={() => void runTest('erp')} disabled={tests.erp.state === 'running' || saving}>
              {dirty ? 'Save & test connection' : 'Test connection'}
            </button>
          </header>
          <fieldset className="settings-fieldset" disabled={readOnly}>
          <div className="field-grid">
            <Field label="ERP" htmlFor="erp-kind">
              <Select id="erp-kind" testId="settings-erp-kind" value={erp.kind} options={erpKindOptions(erp.kind)} onChange={(kind) => patch('erp', { kind, options: {} })} />
            </Field>
            <Field label="Base URL" htmlFor="erp-url">
              <TextInput id="erp-url" testId="settings-erp-baseUrl" value={erp.baseUrl} onChange={(v) => patch('erp', { baseUrl: v })} spellCheck={false} disabled={erp.demo} />
            </Field>
            <Field label="Mode" htmlFor="erp-demo">
              <label className="checkbox">
                <input id="erp-demo" type="checkbox" data-testid="settings-erp-demo" checked={erp.demo} onChange={(e) => patch('erp', { demo: e.target.checked })} />
                Use the built-in demo sandbox
              </label>
            </Field>
          </div>
          <ErpOptionFields kind={erp.kind} options={erp.options} onChange={(options) => patch('erp', { options })} />
          <CredentialsBlock connection="erp" status={view.credentials.erp} />
          </fieldset>
          <TestResult connection="erp" test={tests.erp} />
          {isAdmin ? <ErpDiscovery disabled={dirty || saving} /> : null}
        </section>

        <section className="settings-section" data-testid="settings-sync">
          <header className="settings-head">
            <h3>Sync</h3>
          </header>
          <fieldset className="settings-fieldset" disabled={readOnly}>
          <div className="field-grid">
            <Field label="Sync every" hint="minutes" htmlFor="sync-int">
              <NumberInput id="sync-int" min={1} max={1440} testId="settings-sync-intervalMinutes" value={draft.sync.intervalMinutes} onChange={(v) => patch('sync', { intervalMinutes: v })} />
            </Field>
            <Field label="Merchant time zone" hint="PayTrace timestamps are read in this zone" htmlFor="sync-zone">
              <TextInput id="sync-zone" list="tz-list" testId="settings-sync-merchantZone" value={draft.sync.merchantZone} onChange={(v) => patch('sync', { merchantZone: v })} spellCheck={false} />
              <datalist id="tz-list">
                {TIME_ZONES.map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
            </Field>
            <Field label="Undo window" hint="seconds approved payments wait before posting (Ctrl+Z takes them back); 0 posts at once" htmlFor="sync-undo">
              <NumberInput
                id="sync-undo"
                min={0}
                max={3600}
                testId="settings-sync-undoWindowSeconds"
                value={draft.sync.undoWindowSeconds}
                onChange={(v) => patch('sync', { undoWindowSeconds: v })}
              />
            </Field>
          </div>
          </fieldset>
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
              <button type="button" role="tab" className="settings-tab" aria-selected={tab === 'workspace'} data-testid="settings-tab-workspace" onClick={() => setTab('workspace')}>
                Workspace
              </button>
            </>
          ) : null}
          <button type="button" role="tab" className="settings-tab" aria-selected={tab === 'own-sign-in'} data-testid="settings-tab-own-sign-in" onClick={() => setTab('own-sign-in')}>
            Your sign-in
          </button>
        </div>
        <div className="modal-body">{body}</div>
        <div className="modal-foot">
          {isAdmin ? <SaveDiagnosticsButton /> : null}
          <span className="muted small" data-testid="settings-save-state">{readOnly && tab === 'connections' ? 'Read only for your role' : dirty ? 'Unsaved changes' : 'All changes saved'}</span>
          <span className="spacer" />
          <button type="button" className="btn btn-ghost" data-testid="settings-cancel" onClick={close}>
            {dirty ? 'Discard' : 'Close'}
          </button>
          <SubmitButton type="button" className="btn btn-primary" testId="settings-save" busy={saving} busyLabel="Saving…" disabled={!dirty || readOnly} onClick={() => void save()}>
            Save
          </SubmitButton>
        </div>
      </div>
    </div>
  );
}
