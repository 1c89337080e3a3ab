import type { ICellRendererComp, ICellRendererParams } from 'ag-grid-community';
import type { GridRow } from '@shared/domain';
import { othersOn } from './presence-store';

// The grid's marker for a payment someone else has open: plain DOM (no React
// tree per row); the grid refreshes the column when the presence picture changes.

export class PresenceCellRenderer implements ICellRendererComp<GridRow> {
  private el: HTMLSpanElement = document.createElement('span');

  init(params: ICellRendererParams<GridRow>): void {
    this.render(params.data?.transactionId);
  }

  getGui(): HTMLElement {
    return this.el;
  }

  refresh(params: ICellRendererParams<GridRow>): boolean {
    this.render(params.data?.transactionId);
    return true;
  }

  private render(transactionId: number | undefined): void {
    const others = transactionId === undefined ? [] : othersOn(transactionId);
    const names = [...new Set(others.map((o) => o.userName))];
    this.el.className = names.length > 0 ? 'presence-chip' : '';
    this.el.textContent = names.join(', ');
    this.el.title = names.length > 0 ? `${names.join(', ')} ${names.length === 1 ? 'has' : 'have'} this payment open` : '';
    if (names.length > 0) this.el.dataset['testid'] = 'grid-presence';
    else delete this.el.dataset['testid'];
  }
}

/** The presence text of a row, for the quick filter ("ann" finds what ann has open). */
export function presenceFilterText(row: GridRow | undefined): string {
  return row ? othersOn(row.transactionId).map((o) => o.userName).join(' ') : '';
}
