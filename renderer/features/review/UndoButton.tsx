import { useApiQuery } from '../../api/query';
import { undoLast } from './review-actions';

/** "Undo" with the engine's own label for what would be undone; read again whenever rows change. */
export function UndoButton() {
  const available = useApiQuery('matches:undoAvailable', {});
  const label = available.error ? null : (available.data?.label ?? null);
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
