import { useCallback, useEffect, useState } from 'react';
import { useCloseOnOutsideClick } from '../../ui/use-outside-click';
import type { SavedView } from '@shared/api/views';
import { errorMessage, invoke } from '../../api/client';
import { useApiQuery, queryClient, invalidateMethods } from '../../api/query';
import { useData } from '../../state/data-store';
import { toast } from '../../state/toast-store';
import { useUser } from '../auth/session-store';
import { applySavedView, currentColumns, currentView } from './apply-view';
import './views.css';

// "Views" in the toolbar: save the current tab and search under a name, pick
// one, rename, delete, set the default the queue opens with.

let defaultApplied = false;

/** Applies the user's default view once per page load (a reload opens the queue as they left it by default). */
function useDefaultView(views: readonly SavedView[] | undefined): void {
  useEffect(() => {
    if (defaultApplied || !views) return;
    defaultApplied = true;
    const preferred = views.find((v) => v.isDefault);
    if (preferred) applySavedView(preferred);
  }, [views]);
}

const refresh = () => invalidateMethods(queryClient, ['views:list']);

async function attempt(title: string, run: () => Promise<unknown>): Promise<boolean> {
  try {
    await run();
    await refresh();
    return true;
  } catch (e) {
    toast('error', title, [errorMessage(e)]);
    return false;
  }
}

export function ViewsMenu() {
  const [open, setOpen] = useState(false);
  const views = useApiQuery('views:list', {});
  useDefaultView(views.data);
  const closeMenu = useCallback(() => setOpen(false), []);
  const box = useCloseOnOutsideClick(open, closeMenu);
  return (
    <div className="views-menu" ref={box}>
      <button type="button" className="btn btn-secondary" data-testid="views-open" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)}>
        Views{views.data && views.data.length > 0 ? ` (${views.data.length})` : ''}
      </button>
      {open ? (
        <div
          className="views-pop"
          role="menu"
          data-testid="views-menu"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              setOpen(false);
            }
          }}
        >
          <SaveForm onSaved={() => setOpen(false)} />
          {views.error ? <p className="error-text small">{errorMessage(views.error)}</p> : null}
          {(views.data ?? []).length === 0 ? <p className="muted small">No saved views yet.</p> : null}
          <ul className="views-list">
            {(views.data ?? []).map((v) => (
              <ViewItem key={v.id} v={v} onApplied={() => setOpen(false)} />
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

function SaveForm({ onSaved }: Readonly<{ onSaved: () => void }>) {
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const teamMode = useData((s) => s.sync?.team != null);
  const save = async () => {
    const trimmed = name.trim();
    if (!trimmed) return;
    const ok = await attempt('View not saved', () => invoke('views:save', { name: trimmed, view: currentView(), columns: currentColumns(), ...(teamMode ? { shared } : {}) }));
    if (ok) {
      toast('success', `Saved view "${trimmed}"`);
      setName('');
      onSaved();
    }
  };
  return (
    <form
      className="views-save"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <input data-testid="view-name" aria-label="Name of the view" placeholder="Save current view as…" maxLength={80} value={name} onChange={(e) => setName(e.target.value)} autoFocus />
      {teamMode ? (
        <label className="small">
          <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} /> Share with the team
        </label>
      ) : null}
      <button type="submit" className="btn btn-primary btn-sm" data-testid="view-save" disabled={name.trim() === ''}>
        Save
      </button>
    </form>
  );
}

function ViewItem({ v, onApplied }: Readonly<{ v: SavedView; onApplied: () => void }>) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(v.name);
  const mine = useMineCheck(v);
  if (renaming) {
    return (
      <li className="views-item">
        <form
          className="views-save"
          onSubmit={(e) => {
            e.preventDefault();
            void attempt('View not renamed', () => invoke('views:rename', { id: v.id, name: name.trim() })).then((ok) => ok && setRenaming(false));
          }}
        >
          <input data-testid="view-rename-input" aria-label="New name" value={name} maxLength={80} onChange={(e) => setName(e.target.value)} autoFocus />
          <button type="submit" className="btn btn-primary btn-sm" disabled={name.trim() === ''}>
            Rename
          </button>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setRenaming(false)}>
            Cancel
          </button>
        </form>
      </li>
    );
  }
  return (
    <li className="views-item" data-testid="view-item" data-name={v.name} data-default={v.isDefault}>
      <button
        type="button"
        role="menuitem"
        className="views-apply"
        data-testid="view-apply"
        title={v.problem ?? `Apply "${v.name}"`}
        onClick={() => {
          applySavedView(v);
          onApplied();
        }}
      >
        {v.name}
        {v.isDefault ? <span className="muted small"> · default</span> : null}
        {v.shared && !mine ? <span className="muted small"> · {v.owner}</span> : null}
        {v.problem ? <span className="error-text small"> · cannot be applied</span> : null}
      </button>
      {mine ? (
        <span className="views-actions">
          <button type="button" className="btn btn-ghost btn-sm" data-testid="view-default" onClick={() => void attempt('Default not set', () => invoke('views:setDefault', { id: v.isDefault ? null : v.id }))}>
            {v.isDefault ? 'Unset default' : 'Set default'}
          </button>
          <button type="button" className="btn btn-ghost btn-sm" data-testid="view-rename" onClick={() => setRenaming(true)}>
            Rename
          </button>
          <button type="button" className="btn btn-ghost btn-sm" data-testid="view-delete" onClick={() => void attempt('View not deleted', () => invoke('views:delete', { id: v.id }))}>
            Delete
          </button>
        </span>
      ) : null}
    </li>
  );
}

/** Only the owner's views offer rename, delete and default (the engine refuses the others anyway). */
function useMineCheck(v: SavedView): boolean {
  return useUser()?.userName === v.owner;
}
