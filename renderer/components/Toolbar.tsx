import { forwardRef, useEffect, useRef, useState } from 'react';
import { ROW_STATUS_LABELS } from '@shared/domain';
import { approveSelection, selectionApprovableCount } from '../actions';
import { useData } from '../state/data-store';
import { TAB_ORDER, useUi, type TabId } from '../state/ui-store';
import { SearchIcon } from './icons';
import { UndoButton } from '../features/review/UndoButton';
import { GridExport } from '../features/export/GridExport';
import { BulkActions } from '../features/review/BulkActions';
import { SearchChips } from '../features/views/SearchChips';
import { ViewsMenu } from '../features/views/ViewsMenu';

const TAB_LABELS: Record<TabId, string> = { ...ROW_STATUS_LABELS, all: 'All' };

function StatusTabs() {
  const counts = useData((s) => s.counts);
  const active = useUi((s) => s.view.tab);
  const setActive = useUi((s) => s.setActiveTab);
  return (
    <div className="tabs" role="tablist" aria-label="Status">
      {TAB_ORDER.map((tab, i) => (
        <button
          key={tab}
          type="button"
          role="tab"
          aria-selected={active === tab}
          className={`tab tab-${tab}${active === tab ? ' tab-active' : ''}`}
          data-testid={`tab-${tab}`}
          data-count={counts[tab]}
          title={`${TAB_LABELS[tab]} (${i + 1})`}
          onClick={() => setActive(tab)}
        >
          <span className="tab-label">{TAB_LABELS[tab]}</span>
          <span className="tab-count num" data-testid={`tab-count-${tab}`}>
            {counts[tab].toLocaleString('en-US')}
          </span>
        </button>
      ))}
    </div>
  );
}

function ApproveButton() {
  const selection = useUi((s) => s.selection);
  const summary = useData((s) => s.selectionSummary);
  const total = useData((s) => s.viewTotal);
  const approvable = selectionApprovableCount(selection, summary, total);
  return (
    <button
      type="button"
      className="btn btn-primary"
      data-testid="approve-selected"
      data-count={approvable}
      disabled={approvable === 0}
      title="Approve the selected Auto and Needs review matches (a)"
      onClick={() => void approveSelection()}
    >
      Approve selected ({approvable.toLocaleString('en-US')})
    </button>
  );
}

const SEARCH_DEBOUNCE_MS = 150;

/**
 * The search box: what the clerk types goes to the view 150 ms after the last
 * keystroke (Enter: at once); a search the engine cannot read is explained
 * under the box, and the grid keeps showing the last view it understood.
 */
const SearchBox = forwardRef<HTMLInputElement>(function SearchBox(_props, searchRef) {
  const applied = useUi((s) => s.view.search);
  const setSearch = useUi((s) => s.setSearch);
  const problem = useUi((s) => s.searchProblem);
  const [text, setText] = useState(applied);
  const timer = useRef<number | null>(null);
  // The view changed elsewhere (a cleared search, a saved view): the box shows it.
  useEffect(() => setText(applied), [applied]);
  useEffect(() => () => {
    if (timer.current !== null) window.clearTimeout(timer.current);
  }, []);
  const apply = (value: string, delay: number) => {
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = null;
    if (delay === 0) setSearch(value);
    else timer.current = window.setTimeout(() => {
      timer.current = null;
      setSearch(value);
    }, delay);
  };
  return (
    <div className="search-wrap">
      <label className="search">
        <SearchIcon />
        <input
          ref={searchRef}
          type="search"
          placeholder="Search"
          title="Words, or fields: amount>1000, customer:acme, status:review, date:2026-11-01..2026-11-07, ref:… (? for help)"
          value={text}
          data-testid="quick-filter"
          aria-label="Search transactions"
          aria-invalid={problem !== null}
          aria-describedby={problem !== null ? 'search-problem' : undefined}
          onChange={(e) => {
            setText(e.target.value);
            apply(e.target.value, SEARCH_DEBOUNCE_MS);
          }}
          // Leaving the box (to save a view, export, approve) applies what it shows, without waiting for the pause.
          onBlur={() => {
            if (timer.current !== null) apply(text, 0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') apply(text, 0);
            if (e.key === 'Escape') {
              setText('');
              apply('', 0);
              e.currentTarget.blur();
            }
          }}
        />
        <kbd className="kbd-inline">/</kbd>
      </label>
      {problem !== null ? (
        <div className="search-problem" id="search-problem" role="alert" data-testid="search-problem">
          {problem}
        </div>
      ) : text.trim() !== '' ? (
        <SearchChips text={text} />
      ) : null}
    </div>
  );
});

export const Toolbar = forwardRef<HTMLInputElement>(function Toolbar(_props, searchRef) {
  const selection = useUi((s) => s.selection);
  const summary = useData((s) => s.selectionSummary);
  const total = useData((s) => s.viewTotal);
  const selected = selection.kind === 'ids' ? selection.ids.length : (summary?.count ?? Math.max(0, total - selection.exceptIds.length));
  return (
    <div className="toolbar">
      <StatusTabs />
      <div className="toolbar-right">
        {selected > 0 ? (
          <span className="selection-count" data-testid="selection-count">
            {selected.toLocaleString('en-US')} selected
          </span>
        ) : null}
        <BulkActions />
        <ViewsMenu />
        <SearchBox ref={searchRef} />
        <UndoButton />
        <GridExport />
        <ApproveButton />
      </div>
    </div>
  );
});
