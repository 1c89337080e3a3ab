import { useData } from '../state/data-store';
import { selectionIsEmpty, TAB_ORDER, useUi } from '../state/ui-store';
import { formatAmount } from '../format';

const HINTS: ReadonlyArray<readonly [string, string]> = [
  [`1–${TAB_ORDER.length}`, 'tabs'],
  ['j / k', 'move'],
  ['Space', 'select'],
  ['Ctrl A', 'select all'],
  ['a', 'approve'],
  ['Enter', 'details'],
  ['Esc', 'close'],
  ['/', 'search'],
];

function PostingSummaryView() {
  const p = useData((s) => s.posting);
  if (!p) return null;
  const waiting = p.waiting?.count ?? 0;
  const parts: Array<[string, number, string]> = [
    // Inside the undo window: approved, not yet sent (Ctrl+Z takes them back).
    ['waiting', waiting, ''],
    ['queued', p.queued + p.sending - waiting, ''],
    ['retrying', p.retrying, p.retrying > 0 ? 'warn' : ''],
    ['unknown outcome', p.unknownOutcome, p.unknownOutcome > 0 ? 'bad' : ''],
    ['failed', p.dead, p.dead > 0 ? 'bad' : ''],
    ['posted', p.posted, ''],
  ];
  return (
    <div className="posting-summary" data-testid="posting-summary">
      <span className="muted">Posting</span>
      {parts.map(([label, n, tone]) => (
        <span key={label} className={tone ? `ps-${tone}` : undefined} data-testid={`posting-${label.replace(' ', '-')}`}>
          <span className="num">{n.toLocaleString('en-US')}</span> {label}
        </span>
      ))}
      {p.paused ? <span className="ps-bad">Paused: {p.paused}</span> : null}
    </div>
  );
}

/** The running total of the selection, from the engine (a whole view is totalled there, not loaded here). */
function SelectionTotal() {
  const selection = useUi((s) => s.selection);
  const summary = useData((s) => s.selectionSummary);
  if (selectionIsEmpty(selection)) return null;
  if (!summary) {
    return (
      <div className="selection-total muted" data-testid="selection-total" aria-busy="true">
        Totalling the selection…
      </div>
    );
  }
  const money = summary.totals.map((t) => formatAmount(t.cents, t.currency)).join(' + ') || formatAmount(0, 'USD');
  return (
    <div className="selection-total" data-testid="selection-total" data-count={summary.count} data-cents={summary.totals.map((t) => `${t.currency}:${t.cents}`).join(',')}>
      <span className="num">{summary.count.toLocaleString('en-US')}</span> selected · <span className="num">{money}</span>
    </div>
  );
}

export function Footer() {
  return (
    <footer className="footer">
      <div className="hints" data-testid="keyboard-hints">
        {HINTS.map(([key, label]) => (
          <span key={key} className="hint">
            <kbd>{key}</kbd> {label}
          </span>
        ))}
      </div>
      <SelectionTotal />
      <PostingSummaryView />
    </footer>
  );
}
