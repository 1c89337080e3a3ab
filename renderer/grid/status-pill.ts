import type { ICellRendererComp, ICellRendererParams } from 'ag-grid-community';
import { ROW_STATUS_LABELS, type GridRow, type RowStatus } from '@shared/domain';

// A plain DOM cell renderer (AG Grid treats classes with getGui as JS
// components): no React tree per row, so 100k rows stay cheap to scroll.

const SINGULAR: Record<RowStatus, string> = { ...ROW_STATUS_LABELS, exception: 'Exception' };

export function statusLabel(status: RowStatus): string {
  return SINGULAR[status];
}

export class StatusPillRenderer implements ICellRendererComp<GridRow> {
  private el: HTMLSpanElement = document.createElement('span');

  init(params: ICellRendererParams<GridRow, RowStatus>): void {
    this.render(params.value, params.data?.control);
  }

  getGui(): HTMLElement {
    return this.el;
  }

  refresh(params: ICellRendererParams<GridRow, RowStatus>): boolean {
    this.render(params.value, params.data?.control);
    return true;
  }

  private render(status: RowStatus | null | undefined, control: GridRow['control']): void {
    const s = status ?? 'review';
    // A reversed receipt stays under Posted, labelled so nobody takes it as paid.
    if (control === 'reversed') {
      this.el.className = 'pill pill-reversed';
      this.el.textContent = 'Reversed';
      return;
    }
    this.el.className = `pill pill-${s}`;
    this.el.textContent = control === 'approval_pending' ? `${SINGULAR[s]} · awaiting supervisor` : SINGULAR[s];
  }
}
