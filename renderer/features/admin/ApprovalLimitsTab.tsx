import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorMessage, invoke } from '../../api/client';
import { invalidateMethods, setApiQueryData, useApiQuery } from '../../api/query';
import { Field, SubmitButton } from '../../ui/form';
import { toast } from '../../state/toast-store';
import { draftFrom, validateLimits, type LimitsDraft } from './limits-form';
import { PendingChanges } from './PendingChanges';
import './admin.css';

// Admin only: the refund limits (four-eyes), the write-off / override limits
// and tolerance, and both reason-code lists. Each save is audited by the engine
// (refunds.policy, controls.policy) with the admin as actor. Lowered limits
// apply at once; raised limits and added codes wait for a second admin
// (Pending changes, below).

type Key = keyof LimitsDraft;

/** Whether the engine holds something else than was asked for any field of `asked`. */
function differs(asked: object, holds: object): boolean {
  const h = holds as Record<string, unknown>;
  return Object.entries(asked).some(([k, v]) => JSON.stringify(v) !== JSON.stringify(h[k]));
}

function Amount({ id, label, hint, draft, set }: Readonly<{ id: Key; label: string; hint: string; draft: LimitsDraft; set: (k: Key, v: string) => void }>) {
  return (
    <Field label={label} hint={hint} htmlFor={`limits-${id}`}>
      <input id={`limits-${id}`} data-testid={`limits-${id}`} inputMode="decimal" value={draft[id]} onChange={(e) => set(id, e.target.value)} />
    </Field>
  );
}

export function ApprovalLimitsTab() {
  const client = useQueryClient();
  const refundPolicy = useApiQuery('refunds:policy', {}, { refetchOnMount: 'always' });
  const controlPolicy = useApiQuery('controls:policy', {}, { refetchOnMount: 'always' });
  const [edits, setEdits] = useState<LimitsDraft | null>(null);
  const [invalid, setInvalid] = useState<string[]>([]);
  const saveLimits = useMutation({
    mutationFn: async (patch: Extract<ReturnType<typeof validateLimits>, { ok: true }>['patch']) => {
      const r = await invoke('refunds:setPolicy', patch.refunds);
      const c = await invoke('controls:setPolicy', patch.controls);
      return { r, c };
    },
    onSuccess: ({ r, c }, patch) => {
      setApiQueryData(client, 'refunds:policy', {}, r);
      setApiQueryData(client, 'controls:policy', {}, c);
      setEdits(null);
      void invalidateMethods(client, ['admin:pendingChanges']);
      // What the engine holds differs from what was asked: the loosening part waits for a second admin.
      const waits = differs(patch.refunds, r) || differs(patch.controls, c);
      if (waits) toast('success', 'Limits saved; the raised limits and added reason codes wait for a second admin', ['Another admin approves them under Pending changes.']);
      else toast('success', 'Approval limits saved');
    },
    onError: () => {
      // One of the two may have been saved: show what the engine now holds.
      setEdits(null);
      void invalidateMethods(client, ['refunds:policy', 'controls:policy']);
    },
  });
  const busy = saveLimits.isPending;
  const errors = saveLimits.error ? [errorMessage(saveLimits.error)] : invalid;

  const loadError = refundPolicy.error ?? controlPolicy.error;
  if (loadError) return <p className="error-text pad">{errorMessage(loadError)}</p>;
  if (!refundPolicy.data || !controlPolicy.data) return <p className="muted pad">Loading limits…</p>;
  const saved = draftFrom(refundPolicy.data, controlPolicy.data);
  const draft = edits ?? saved;

  const set = (k: Key, v: string) => setEdits({ ...draft, [k]: v });
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved);

  const save = () => {
    const checked = validateLimits(draft);
    if (!checked.ok) {
      saveLimits.reset();
      setInvalid(checked.errors);
      return;
    }
    setInvalid([]);
    saveLimits.mutate(checked.patch);
  };

  return (
    <div className="admin-tab" data-testid="admin-limits">
      <section className="settings-section">
        <header className="settings-head">
          <h3>Refunds</h3>
        </header>
        <div className="admin-form">
          <Amount id="refundSecond" label="Supervisor self-approval up to ($)" hint="Above this, a supervisor's own request needs a second supervisor" draft={draft} set={set} />
          <Amount id="refundAdmin" label="Admin approval above ($)" hint="Above this, an admin who is not the requester approves" draft={draft} set={set} />
        </div>
        <div className="field">
          <label htmlFor="limits-refundReasons">Refund reason codes (one per line)</label>
          <textarea id="limits-refundReasons" className="admin-reasons" data-testid="limits-refundReasons" value={draft.refundReasons} onChange={(e) => set('refundReasons', e.target.value)} />
        </div>
      </section>

      <section className="settings-section">
        <header className="settings-head">
          <h3>Write-offs and tolerance overrides</h3>
        </header>
        <div className="admin-form">
          <Amount id="controlApproval" label="Clerk may decide up to ($)" hint="Above this, a write-off or override waits for a supervisor" draft={draft} set={set} />
          <Amount id="controlTolerance" label="Tolerance ($)" hint="A difference up to this needs no override" draft={draft} set={set} />
          <Amount id="controlSecond" label="Supervisor self-approval up to ($)" hint="Above this, a second supervisor" draft={draft} set={set} />
          <Amount id="controlAdmin" label="Admin approval above ($)" hint="Above this, an admin who is not the requester" draft={draft} set={set} />
        </div>
        <div className="field">
          <label htmlFor="limits-controlReasons">Write-off reason codes (one per line)</label>
          <textarea id="limits-controlReasons" className="admin-reasons" data-testid="limits-controlReasons" value={draft.controlReasons} onChange={(e) => set('controlReasons', e.target.value)} />
        </div>
      </section>

      <PendingChanges />
      {errors.length > 0 ? (
        <ul className="admin-errors" data-testid="limits-errors">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      ) : null}
      <div className="admin-inline">
        <span className="muted small">{dirty ? 'Unsaved limits' : 'Limits saved'}</span>
        <span className="spacer" />
        <button type="button" className="btn btn-ghost btn-sm" data-testid="limits-revert" disabled={!dirty || busy} onClick={() => setEdits(null)}>
          Revert
        </button>
        <SubmitButton type="button" testId="limits-save" busy={busy} busyLabel="Saving…" disabled={!dirty} onClick={save}>
          Save limits
        </SubmitButton>
      </div>
    </div>
  );
}
