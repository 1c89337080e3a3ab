import { useEffect, useState } from 'react';
import { invoke, subscribe } from '../../api/client';
import { undoLast } from './review-actions';

/** "Undo" with the engine's own label for what would be undone; refreshed whenever rows change. */
export function UndoButton() {
  const [label, setLabel] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    let timer: number | null = null;
    const refresh = () =>
      invoke('matches:undoAvailable', {})
        .then((r) => alive && setLabel(r.label))
        .catch(() => alive && setLabel(null));
    void refresh();
    const off = subscribe('rows:changed', () => {
      if (timer !== null) return;
      timer = window.setTimeout(() => {
        timer = null;
        void refresh();
      }, 300);
    });
    return () => {
      alive = false;
      if (timer !== null) window.clearTimeout(timer);
      off();
    };
  }, []);
  return (
    <button
      type="button"
      className="btn btn-ghost"
      data-testid="undo"
      data-label={label ?? ''}
      disabled={label === null}
      title={label ? `Undo ${label} (Ctrl+Z)` : 'Nothing to undo'}
      onClick={() => void undoLast()}
    >
      Undo
    </button>
  );
}
