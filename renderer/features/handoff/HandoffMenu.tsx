import { useCallback, useState } from 'react';
import { useCloseOnOutsideClick } from '../../ui/use-outside-click';
import { useHandoff } from './handoff-store';
import './handoff.css';

// Next to "Take offline": the other two steps of the hand-off. Review a file
// here (the second installation), or import a reviewer's decisions back (the
// first installation).

export function HandoffMenu() {
  const show = useHandoff((s) => s.show);
  const [open, setOpen] = useState(false);
  const closeMenu = useCallback(() => setOpen(false), []);
  const ref = useCloseOnOutsideClick(open, closeMenu);
  const pick = (screen: 'review' | 'import') => {
    setOpen(false);
    show(screen);
  };
  return (
    <div className="hf-menu" ref={ref}>
      <button type="button" className="btn btn-secondary" data-testid="handoff-menu" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)} title="Review a hand-off file, or import a reviewer's decisions">
        Hand-off ▾
      </button>
      {open ? (
        <div className="hf-menu-items" role="menu" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
          <button type="button" role="menuitem" data-testid="handoff-menu-review" onClick={() => pick('review')}>
            Review a hand-off file…
            <span className="muted small">Decide exceptions another installation took offline</span>
          </button>
          <button type="button" role="menuitem" data-testid="handoff-menu-import" onClick={() => pick('import')}>
            Import decisions…
            <span className="muted small">Apply a reviewer&apos;s decisions here</span>
          </button>
        </div>
      ) : null}
    </div>
  );
}
