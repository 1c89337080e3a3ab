import { useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { WorkspaceSsl, WorkspaceView } from '@shared/api/workspace';
import { errorMessage } from '../../api/client';
import { invalidateMethods, useApiMutation, useApiQuery } from '../../api/query';
import { Field, Select, SubmitButton, TextInput } from '../../ui/form';
import './workspace.css';

// Settings → Workspace (admins): where this data folder works, and creating,
// joining or leaving a team workspace (docs/team.md). Secrets typed here go to
// the engine once and are cleared from the form; the engine keeps them in the
// OS keychain. A join code is shown once, right after it is issued.

const SSL_OPTIONS: ReadonlyArray<{ value: WorkspaceSsl; label: string }> = [
  { value: 'verify-full', label: 'verify-full: encrypted, certificate and host name checked' },
  { value: 'verify-ca', label: 'verify-ca: encrypted, certificate checked' },
  { value: 'require', label: 'require: encrypted, certificate not checked' },
  { value: 'disable', label: 'disable: not encrypted (trusted network only)' },
];

type Connection = { host: string; port: string; database: string; user: string; password: string; ssl: WorkspaceSsl; caFile: string };
const emptyConnection: Connection = { host: '', port: '5432', database: '', user: '', password: '', ssl: 'verify-full', caFile: '' };

function connectionArgs(c: Connection) {
  return { host: c.host.trim(), port: Number(c.port), database: c.database.trim(), user: c.user.trim(), password: c.password, ssl: c.ssl, ...(c.caFile.trim() ? { caFile: c.caFile.trim() } : {}) };
}

function connectionProblem(c: Connection): string | null {
  if (!c.host.trim() || !c.database.trim() || !c.user.trim()) return 'Give the server, the database and the user.';
  const port = Number(c.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return 'The port is a number from 1 to 65535.';
  if (!c.password) return "Give the database user's password.";
  return null;
}

function ConnectionFields({ prefix, value, set }: Readonly<{ prefix: string; value: Connection; set: (c: Connection) => void }>) {
  const field = (k: keyof Connection) => (v: string) => set({ ...value, [k]: v });
  return (
    <div className="workspace-form">
      <Field label="Server" htmlFor={`${prefix}-host`} hint="Host name of the PostgreSQL server">
        <TextInput id={`${prefix}-host`} testId={`${prefix}-host`} value={value.host} onChange={field('host')} autoComplete="off" />
      </Field>
      <Field label="Port" htmlFor={`${prefix}-port`}>
        <TextInput id={`${prefix}-port`} testId={`${prefix}-port`} value={value.port} onChange={field('port')} inputMode="numeric" />
      </Field>
      <Field label="Database" htmlFor={`${prefix}-database`}>
        <TextInput id={`${prefix}-database`} testId={`${prefix}-database`} value={value.database} onChange={field('database')} autoComplete="off" />
      </Field>
      <Field label="User" htmlFor={`${prefix}-user`}>
        <TextInput id={`${prefix}-user`} testId={`${prefix}-user`} value={value.user} onChange={field('user')} autoComplete="off" />
      </Field>
      <Field label="Password" htmlFor={`${prefix}-password`} hint="Kept in this computer's keychain, never shown again">
        <TextInput id={`${prefix}-password`} testId={`${prefix}-password`} type="password" value={value.password} onChange={field('password')} autoComplete="new-password" />
      </Field>
      <Field label="TLS" htmlFor={`${prefix}-ssl`}>
        <Select id={`${prefix}-ssl`} testId={`${prefix}-ssl`} value={value.ssl} options={SSL_OPTIONS} onChange={(ssl) => set({ ...value, ssl })} />
      </Field>
      {value.ssl === 'verify-full' || value.ssl === 'verify-ca' ? (
        <Field label="CA certificate file" htmlFor={`${prefix}-ca`} hint="PEM file of your own CA; leave empty for a public one" className="workspace-wide">
          <TextInput id={`${prefix}-ca`} testId={`${prefix}-ca`} value={value.caFile} onChange={field('caFile')} placeholder="/etc/tieout/workspace-ca.pem" />
        </Field>
      ) : null}
    </div>
  );
}

function JoinCodeShown({ code, onDone }: Readonly<{ code: string; onDone: () => void }>) {
  return (
    <div className="workspace-joincode" role="status" data-testid="workspace-joincode">
      <strong>Join code (shown once)</strong>
      <p className="muted small">Give it to whoever sets up another workstation, and tell them the passphrase another way. With both, it unlocks the workspace&apos;s audit key and the PayTrace/ERP credentials.</p>
      <textarea readOnly value={code} rows={4} onFocus={(e) => e.currentTarget.select()} aria-label="Join code" />
      <div className="admin-inline">
        <button type="button" className="btn btn-sm" onClick={() => void navigator.clipboard?.writeText(code)}>
          Copy
        </button>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onDone}>
          I have copied it
        </button>
      </div>
    </div>
  );
}

function Section({ title, children, testId }: Readonly<{ title: string; children: ReactNode; testId: string }>) {
  return (
    <section className="settings-section" data-testid={testId}>
      <h3>{title}</h3>
      {children}
    </section>
  );
}

function Status({ view }: Readonly<{ view: WorkspaceView }>) {
  if (view.mode === 'single-user' || !view.workspace) {
    return (
      <p data-testid="workspace-mode">
        <strong>Single-user.</strong> This data folder works on its own database file on this computer. A team shares one workspace on a PostgreSQL server: create one below, or join the one your team has.
      </p>
    );
  }
  const w = view.workspace;
  return (
    <dl className="workspace-status" data-testid="workspace-mode">
      <dt>Workspace</dt>
      <dd>{w.name}</dd>
      <dt>Database</dt>
      <dd>
        {w.host}:{w.port}/{w.database} as {w.user}
      </dd>
      <dt>TLS</dt>
      <dd>
        {w.ssl}
        {w.caFile ? ` (CA ${w.caFile})` : ''}
      </dd>
      <dt>Reachable</dt>
      <dd className={view.reachable ? 'workspace-ok' : 'workspace-bad'} data-testid="workspace-reachable">
        {view.reachable ? `Yes${view.schemaVersion ? `, schema ${view.schemaVersion}` : ''}` : `No: ${view.problem ?? 'unknown'}`}
      </dd>
      {view.syncLeader ? (
        <>
          <dt>Sync led by</dt>
          <dd data-testid="workspace-leader">
            {view.syncLeader.workstation}
            {view.syncLeader.holding ? '' : ' (not running now: the next workstation to start takes over)'}
          </dd>
        </>
      ) : null}
      {view.reachable && view.problem ? (
        <>
          <dt>Problem</dt>
          <dd className="workspace-bad">{view.problem}</dd>
        </>
      ) : null}
    </dl>
  );
}

function CreateForm({ onCode }: Readonly<{ onCode: (code: string) => void }>) {
  const [c, setC] = useState(emptyConnection);
  const [name, setName] = useState('');
  const [moveData, setMoveData] = useState(true);
  const [passphrase, setPassphrase] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const create = useApiMutation('workspace:create', { invalidates: ['workspace:status'] });
  const submit = () => {
    const p = connectionProblem(c) ?? (!name.trim() ? 'Give the workspace a name.' : null) ?? (passphrase && passphrase.length < 12 ? 'The join code passphrase needs at least 12 characters.' : null);
    setProblem(p);
    if (p) return;
    create.mutate(
      { ...connectionArgs(c), name: name.trim(), moveData, ...(passphrase ? { passphrase } : {}) },
      {
        onSuccess: (r) => {
          if (r.joinCode) onCode(r.joinCode);
        },
        onSettled: () => {
          setC((prev) => ({ ...prev, password: '' }));
          setPassphrase('');
        },
      },
    );
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <p className="muted small">In an empty database your team&apos;s PostgreSQL administrator created. Tieout creates its tables there.</p>
      <Field label="Workspace name" htmlFor="ws-create-name">
        <TextInput id="ws-create-name" testId="ws-create-name" value={name} onChange={setName} placeholder="Accounts receivable" />
      </Field>
      <ConnectionFields prefix="ws-create" value={c} set={setC} />
      <label className="workspace-check">
        <input type="checkbox" data-testid="ws-create-move" checked={moveData} onChange={(e) => setMoveData(e.target.checked)} />
        Move this folder&apos;s data into it (users, payments, decisions, audit trail). This computer&apos;s file stays as a backup.
      </label>
      <Field label="Join code passphrase (optional)" htmlFor="ws-create-passphrase" hint="At least 12 characters; issues a join code for other workstations">
        <TextInput id="ws-create-passphrase" testId="ws-create-passphrase" type="password" value={passphrase} onChange={setPassphrase} autoComplete="new-password" />
      </Field>
      {problem || create.error ? <p className="error-text" role="alert">{problem ?? errorMessage(create.error)}</p> : null}
      <SubmitButton busy={create.isPending} busyLabel="Creating…" testId="ws-create-submit">
        Create workspace
      </SubmitButton>
    </form>
  );
}

function JoinForm() {
  const [c, setC] = useState(emptyConnection);
  const [joinCode, setJoinCode] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const join = useApiMutation('workspace:join', { invalidates: ['workspace:status'] });
  const submit = () => {
    const p = connectionProblem(c) ?? (!joinCode.trim() || !passphrase ? 'Paste the join code and type its passphrase.' : null);
    setProblem(p);
    if (p) return;
    join.mutate({ ...connectionArgs(c), joinCode: joinCode.trim(), passphrase }, { onSettled: () => (setC((prev) => ({ ...prev, password: '' })), setPassphrase('')) });
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <ConnectionFields prefix="ws-join" value={c} set={setC} />
      <Field label="Join code" htmlFor="ws-join-code" hint="From an admin of the workspace (Settings → Workspace → Issue a join code)">
        <textarea id="ws-join-code" data-testid="ws-join-code" rows={3} value={joinCode} onChange={(e) => setJoinCode(e.target.value)} />
      </Field>
      <Field label="Join code passphrase" htmlFor="ws-join-passphrase">
        <TextInput id="ws-join-passphrase" testId="ws-join-passphrase" type="password" value={passphrase} onChange={setPassphrase} autoComplete="off" />
      </Field>
      {problem || join.error ? <p className="error-text" role="alert">{problem ?? errorMessage(join.error)}</p> : null}
      <SubmitButton busy={join.isPending} busyLabel="Joining…" testId="ws-join-submit">
        Join workspace
      </SubmitButton>
    </form>
  );
}

function Joined({ view, onCode }: Readonly<{ view: WorkspaceView; onCode: (code: string) => void }>) {
  const [passphrase, setPassphrase] = useState('');
  const [confirming, setConfirming] = useState(false);
  const issue = useApiMutation('workspace:joinCode');
  const leave = useApiMutation('workspace:leave', { invalidates: ['workspace:status'] });
  const w = view.workspace!;
  return (
    <>
      <Section title="Issue a join code" testId="workspace-issue">
        <p className="muted small">For another workstation joining this workspace. Choose a passphrase (at least 12 characters) and tell it to them another way.</p>
        <div className="admin-inline">
          <TextInput aria-label="Join code passphrase" testId="ws-issue-passphrase" type="password" value={passphrase} onChange={setPassphrase} autoComplete="new-password" />
          <SubmitButton
            type="button"
            busy={issue.isPending}
            disabled={passphrase.length < 12}
            testId="ws-issue-submit"
            onClick={() => issue.mutate({ passphrase }, { onSuccess: (r) => onCode(r.joinCode), onSettled: () => setPassphrase('') })}
          >
            Issue join code
          </SubmitButton>
        </div>
        {issue.error ? <p className="error-text">{errorMessage(issue.error)}</p> : null}
      </Section>
      <Section title="Leave the workspace" testId="workspace-leave">
        {!confirming ? (
          <button type="button" className="btn btn-sm" data-testid="ws-leave" onClick={() => setConfirming(true)}>
            Leave workspace…
          </button>
        ) : (
          <div className="workspace-confirm" role="alertdialog" aria-label="Leave the workspace">
            <p>
              Leave <strong>{w.name}</strong>? Everything the team decided stays in the workspace at {w.host}/{w.database}. This computer goes back to its own database file, as it was when it joined (a
              copy as of the move, if its data was moved); nothing since then is in it. The database password is removed from this computer&apos;s keychain; the workspace&apos;s audit key stays.
            </p>
            <div className="admin-inline">
              <SubmitButton type="button" className="btn btn-danger btn-sm" busy={leave.isPending} testId="ws-leave-confirm" onClick={() => leave.mutate({ confirm: true })}>
                Leave {w.name}
              </SubmitButton>
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setConfirming(false)}>
                Stay
              </button>
            </div>
            {leave.error ? <p className="error-text">{errorMessage(leave.error)}</p> : null}
          </div>
        )}
      </Section>
    </>
  );
}

export function WorkspaceTab() {
  const client = useQueryClient();
  const status = useApiQuery('workspace:status', {}, { refetchOnMount: 'always' });
  const [code, setCode] = useState<string | null>(null);
  if (status.error) return <p className="error-text pad">{errorMessage(status.error)}</p>;
  if (!status.data) return <p className="muted pad">Loading workspace…</p>;
  const view = status.data;
  return (
    <div className="admin-tab workspace-tab" data-testid="workspace-tab">
      {view.restartRequired ? (
        <p className="workspace-restart" role="alert" data-testid="workspace-restart">
          {view.restartRequired}
        </p>
      ) : null}
      <Section title="Where this data folder works" testId="workspace-status">
        <Status view={view} />
        {view.mode === 'workspace' ? (
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => void invalidateMethods(client, ['workspace:status'])}>
            Check again
          </button>
        ) : null}
      </Section>
      {code ? <JoinCodeShown code={code} onDone={() => setCode(null)} /> : null}
      {view.restartRequired ? null : view.mode === 'single-user' ? (
        <>
          <Section title="Create a workspace" testId="workspace-create">
            <CreateForm onCode={setCode} />
          </Section>
          <Section title="Join a workspace" testId="workspace-join">
            <JoinForm />
          </Section>
        </>
      ) : (
        <Joined view={view} onCode={setCode} />
      )}
    </div>
  );
}
