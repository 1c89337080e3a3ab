import { useEffect, useRef } from 'react';
import { useData } from '../state/data-store';
import { clearSelection, selectionIsEmpty, selectWholeView, useUi } from '../state/ui-store';

// The header checkbox: "every row of this view" (loaded or not), like Ctrl+A.
// Checked when the whole view is selected, mixed when some rows are.

export function SelectAllHeader() {
  const selection = useUi((s) => s.selection);
  const total = useData((s) => s.viewTotal);
  const box = useRef<HTMLInputElement>(null);
  const all = selection.kind === 'view' && selection.exceptIds.length === 0 && total > 0;
  const some = !all && !selectionIsEmpty(selection);
  useEffect(() => {
    if (box.current) box.current.indeterminate = some;
  }, [some]);
  return (
    <input
      ref={box}
      type="checkbox"
      className="select-all"
      data-testid="select-all"
      aria-label="Select every row of this view"
      checked={all}
      disabled={total === 0}
      onChange={() => (all || some ? clearSelection() : selectWholeView())}
    />
  );
}
