import { forwardRef, useMemo } from 'react';
import { ROW_STATUS_LABELS } from '@shared/domain';
import { approve, isApprovable } from '../actions';
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
  const active = useUi((s) => s.activeTab);
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
  const selectedIds = useUi((s) => s.selectedIds);
  const rows = useData((s) => s.rows);
  const approvable = useMemo(() => {
    if (selectedIds.length === 0) return [];
    const wanted = new Set(selectedIds);
    return rows.filter((r) => wanted.has(r.transactionId) && isApprovable(r)).map((r) => r.transactionId);
  }, [rows, selectedIds]);
  return (
    <button
      type="button"
      className="btn btn-primary"
      data-testid="approve-selected"
      data-count={approvable.length}
      disabled={approvable.length === 0}
      title="Approve the selected Auto and Needs review matches (a)"
      onClick={() => void approve(approvable)}
    >
      Approve selected ({approvable.length.toLocaleString('en-US')})
    </button>
  );
}

export const Toolbar = forwardRef<HTMLInputElement>(function Toolbar(_props, searchRef) {
  const quickFilter = useUi((s) => s.quickFilter);
  const setQuickFilter = useUi((s) => s.setQuickFilter);
  const selected = useUi((s) => s.selectedIds.length);
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
        <div className="search-box">
        <label className="search">
          <SearchIcon />
          <input
            ref={searchRef}
            type="search"
            placeholder="Search"
            value={quickFilter}
            data-testid="quick-filter"
            aria-label="Search transactions"
            onChange={(e) => setQuickFilter(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                setQuickFilter('');
                e.currentTarget.blur();
              }
            }}
          />
          <kbd className="kbd-inline">/</kbd>
        </label>
        {quickFilter.trim() !== '' ? <SearchChips text={quickFilter} /> : null}
        </div>
        <UndoButton />
        <GridExport />
        <ApproveButton />
      </div>
    </div>
  );
});
