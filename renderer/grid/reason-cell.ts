import type { ICellRendererComp, ICellRendererParams } from 'ag-grid-community';
import type { GridRow } from '@shared/domain';
import { rowChips } from '../labels';

// The Reason cell: marker chips ("Short pay · $12.40 open", "Refund of 123")
// before the matcher's reason. Plain DOM like the status pill: no React tree per row.

export function reasonText(row: GridRow): string {
  const chips = rowChips(row);
  return chips.length === 0 ? row.reason : `${chips.map((c) => c.text).join(' · ')} — ${row.reason}`;
}

export class ReasonRenderer implements ICellRendererComp<GridRow> {
  private el: HTMLSpanElement = document.createElement('span');

  init(params: ICellRendererParams<GridRow, string>): void {
    this.render(params.data);
  }

  getGui(): HTMLElement {
    return this.el;
  }

  refresh(params: ICellRendererParams<GridRow, string>): boolean {
    this.render(params.data);
    return true;
  }

  private render(row: GridRow | undefined): void {
    this.el.className = 'reason-cell';
    this.el.replaceChildren();
    if (!row) return;
    for (const chip of rowChips(row)) {
      const c = document.createElement('span');
      c.className = `mchip mchip-${chip.kind}`;
      c.textContent = chip.text;
      c.title = chip.hint;
      c.dataset.testid = 'row-chip';
      c.dataset.kind = chip.kind;
      this.el.appendChild(c);
    }
    const text = document.createElement('span');
    text.className = 'reason-text';
    text.textContent = row.reason;
    this.el.appendChild(text);
  }
}
