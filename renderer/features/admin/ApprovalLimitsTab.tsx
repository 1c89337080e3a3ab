import { useCallback, useEffect, useState } from 'react';
import { errorMessage, invoke } from '../../api/client';
import { toast } from '../../state/toast-store';
import { draftFrom, validateLimits, type LimitsDraft } from './limits-form';
import './admin.css';

// Admin only: the refund limits (four-eyes), the write-off / override limits
// and tolerance, and both reason-code lists. Each save is audited by the engine
// (refunds.policy, controls.policy) with the admin as actor.

type Key = keyof LimitsDraft;

function Amount({ id, label, hint, draft, set }: Readonly<{ id: Key; label: string; hint: string; draft: LimitsDraft; set: (k: Key, v: string) => void }>) {
  return (
    <div className="field">
      <label htmlFor={`limits-${id}`}>{label}</label>
      <input id={`limits-${id}`} data-testid={`limits-${id}`} inputMode="decimal" value={draft[id]} onChange={(e) => set(id, e.target.value)} />
      <span className="field-hint">{hint}</span>
    </div>
  );
}

export function ApprovalLimitsTab() {
  const [saved, setSaved] = useState<LimitsDraft | null>(null);
  const [draft, setDraft] = useState<LimitsDraft | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);

  const load = useCallback(() => {
    Promise.all([invoke('refunds:policy', {}), invoke('controls:policy', {})])
      .then(([r, c]) => {
        const d = draftFrom(r, c);
        setSaved(d);
        setDraft(d);
        setLoadError(null);
      })
      .catch((e: unknown) => setLoadError(errorMessage(e)));
  }, []);
  useEffect(load, [load]);

  if (loadError) return <p className="error-text pad">{loadError}</p>;
  if (!draft || !saved) return <p className="muted pad">Loading limits…</p>;

  const set = (k: Key, v: string) => setDraft((d) => (d ? { ...d, [k]: v } : d));
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved);

  const save = async () => {
    const checked = validateLimits(draft);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors([]);
    setBusy(true);
    try {
      const r = await invoke('refunds:setPolicy', checked.patch.refunds);
      const c = await invoke('controls:setPolicy', checked.patch.controls);
      const d = draftFrom(r, c);
      setSaved(d);
      setDraft(d);
      toast('success', 'Approval limits saved');
    } catch (e) {
      setErrors([errorMessage(e)]);
      // One of the two may have been saved: show what the engine now holds.
      load();
    } finally {
      setBusy(false);
    }
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
        <button type="button" className="btn btn-ghost btn-sm" data-testid="limits-revert" disabled={!dirty || busy} onClick={() => setDraft(saved)}>
          Revert
        </button>
        <button type="button" className="btn btn-primary btn-sm" data-testid="limits-save" disabled={!dirty || busy} onClick={() => void save()}>
          {busy ? 'Saving…' : 'Save limits'}
        </button>
      </div>
    </div>
  );
}
