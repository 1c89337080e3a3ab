import { useCallback } from 'react';
import { useGridFilter, type CustomFilterProps } from 'ag-grid-react';
import { ROW_STATUS_LABELS, ROW_STATUSES } from '@shared/domain';
import type { StatusWord } from '@shared/search-query';

// The Status column's menu: a set of statuses (AG Grid's set filter is not in
// community). The model is what column-model.ts sends to the engine as a
// `status` term; the rows are filtered there, never here.

export type StatusFilterModel = Readonly<{ filterType: 'status'; values: readonly StatusWord[] }>;

const CHOICES: ReadonlyArray<readonly [StatusWord, string]> = [...ROW_STATUSES.map((s) => [s, ROW_STATUS_LABELS[s]] as const), ['awaiting', 'Awaiting approval']];

export function StatusFilter({ model, onModelChange }: CustomFilterProps<unknown, unknown, StatusFilterModel>) {
  // Server-side filtering: the grid never asks a row, but the hook wants an answer.
  const doesFilterPass = useCallback(() => true, []);
  useGridFilter({ doesFilterPass });
  const chosen = new Set(model?.values ?? []);
  const toggle = (value: StatusWord) => {
    const next = new Set(chosen);
    if (next.has(value)) next.delete(value);
    else next.add(value);
    onModelChange(next.size === 0 ? null : { filterType: 'status', values: CHOICES.map(([v]) => v).filter((v) => next.has(v)) });
  };
  return (
    <div className="status-filter" data-testid="status-filter">
      {CHOICES.map(([value, label]) => (
        <label key={value} className="status-filter-choice">
          <input type="checkbox" checked={chosen.has(value)} data-testid={`status-filter-${value}`} onChange={() => toggle(value)} /> {label}
        </label>
      ))}
    </div>
  );
}
