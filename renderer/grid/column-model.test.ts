import { describe, expect, it } from 'vitest';
import { translateColumns } from './column-model';

// Column menus → the engine's view: what translates is sent exactly; what does
// not is refused with a message (never dropped, which would widen the view).

describe('column sort and filters as the engine view', () => {
  it('maps the sort model to sort keys in order', () => {
    expect(translateColumns([{ colId: 'amount', sort: 'desc' }, { colId: 'payer', sort: 'asc' }], {})).toEqual({
      sort: [{ key: 'amount', dir: 'desc' }, { key: 'payer', dir: 'asc' }],
      filters: [],
    });
  });

  it('refuses a sort on a column SQL cannot order (ERP balance, difference)', () => {
    expect(translateColumns([{ colId: 'difference', sort: 'asc' }], {})).toEqual({ problem: 'The difference column cannot be sorted.' });
  });

  it('maps amount filters to cents with the bounds the operator means', () => {
    const one = (model: object) => translateColumns([], { amount: { filterType: 'number', ...model } });
    expect(one({ type: 'greaterThan', filter: 1000 })).toEqual({ sort: [], filters: [{ field: 'amount', minCents: 100_001 }] });
    expect(one({ type: 'greaterThanOrEqual', filter: 10.5 })).toEqual({ sort: [], filters: [{ field: 'amount', minCents: 1050 }] });
    expect(one({ type: 'lessThan', filter: 20 })).toEqual({ sort: [], filters: [{ field: 'amount', maxCents: 1999 }] });
    expect(one({ type: 'inRange', filter: 50, filterTo: 10 })).toEqual({ sort: [], filters: [{ field: 'amount', minCents: 1000, maxCents: 5000 }] });
    expect(one({ type: 'equals', filter: 0.1 + 0.2 })).toEqual({ sort: [], filters: [{ field: 'amount', minCents: 30, maxCents: 30 }] });
    expect(one({ type: 'notEqual', filter: 5 })).toEqual({ problem: 'The amount filter "notEqual" is not supported.' });
  });

  it('maps date filters to inclusive merchant days', () => {
    const one = (model: object) => translateColumns([], { createdAt: { filterType: 'date', ...model } });
    expect(one({ type: 'inRange', dateFrom: '2026-11-01 00:00:00', dateTo: '2026-11-07 00:00:00' })).toEqual({ sort: [], filters: [{ field: 'date', from: '2026-11-01', to: '2026-11-07' }] });
    expect(one({ type: 'greaterThan', dateFrom: '2026-02-28 00:00:00' })).toEqual({ sort: [], filters: [{ field: 'date', from: '2026-03-01' }] });
    expect(one({ type: 'lessThan', dateFrom: '2026-03-01 00:00:00' })).toEqual({ sort: [], filters: [{ field: 'date', to: '2026-02-28' }] });
  });

  it('maps text and status filters, and refuses combined conditions', () => {
    expect(translateColumns([], { payer: { filterType: 'text', type: 'contains', filter: ' acme ' }, status: { filterType: 'status', values: ['review', 'awaiting'] } })).toEqual({
      sort: [],
      filters: [
        { field: 'payer', text: 'acme' },
        { field: 'status', values: ['review', 'awaiting'] },
      ],
    });
    expect(translateColumns([], { reference: { filterType: 'text', type: 'startsWith', filter: 'x' } })).toEqual({ problem: 'The reference filter supports "contains" only.' });
    expect(translateColumns([], { payer: { filterType: 'text', operator: 'OR', conditions: [] } })).toEqual({ problem: 'The payer filter combines conditions; use one condition per column.' });
  });
});
